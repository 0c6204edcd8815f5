--- Migration 0016_concurrency_limits.
--- Fleet-wide maxConcurrency per workflow version, counted and enforced by the claim.
---
--- `{{schema}}` stands for the schema name (see migration-provider.ts).
--- Defines: claim_pick_limited, claim_items.
---
--- SQL of migration `0016_concurrency_limits`: fleet-wide `maxConcurrency` per workflow version, enforced
--- by the claim.
---
--- @remarks
--- - `work_items_lane_leased_idx (lane, visible_at) where queue_state = 'leased'`: the live leases of a lane
---   (deadline still ahead) are counted through it, never through the lane's backlog.
--- - `claim_pick_limited(p_lanes, p_max, p_now, p_limits)`: `p_limits[i]` is the limit of `p_lanes[i]`
---   (null: none). Each limited lane is locked for the claim's transaction (an advisory transaction lock
---   per schema and lane, taken in lane order so claims never deadlock), its live leases are counted, and
---   at most the remaining allowance of its items is picked; a claim that commits releases the lock after
---   its leases are visible, so the next claim of the lane counts them. Lanes without a limit cost what
---   0011's `claim_pick` costs (it is called as is when no lane has a limit).
--- - `claim_items(p_worker, p_lease_ms, p_max, p_lanes, p_limits)`: 0011's `claim_items` with its pick
---   replaced by `claim_pick_limited`. The four-argument version stays for callers without limits.
--- A strand's commit that leases the run's next item (0010) finishes one lease as it takes the next, so it
--- never raises the count.

create index work_items_lane_leased_idx on "{{schema}}".work_items (lane, visible_at) where queue_state = 'leased';

create or replace function "{{schema}}".claim_pick_limited(p_lanes text[], p_max integer, p_now bigint, p_limits integer[])
returns table (run_id text, item_id text) language plpgsql
set enable_bitmapscan = off set enable_seqscan = off as $$
declare
  v_caps integer[];
  v_lane text;
  v_limit integer;
  v_live integer;
  i integer;
begin
  if p_lanes is null or p_limits is null
    or not exists (select 1 from unnest(p_limits) as m(lim) where m.lim is not null) then
    return query select c.run_id, c.item_id from "{{schema}}".claim_pick(p_lanes, p_max, p_now) c;
    return;
  end if;
  for v_lane in select distinct l.lane from unnest(p_lanes, p_limits) as l(lane, lim)
      where l.lim is not null order by 1 loop
    perform pg_advisory_xact_lock(hashtextextended('floxide lane limit {{schema}} ' || v_lane, 0));
  end loop;
  v_caps := array[]::integer[];
  for i in 1 .. coalesce(array_length(p_lanes, 1), 0) loop
    v_limit := p_limits[i];
    if v_limit is null then
      v_caps := v_caps || p_max;
    else
      select count(*)::integer into v_live from (select 1 from "{{schema}}".work_items w
        where w.lane = p_lanes[i] and w.queue_state = 'leased' and w.visible_at > p_now limit v_limit) c;
      v_caps := v_caps || greatest(0, least(p_max, v_limit - v_live));
    end if;
  end loop;
  return query select p.run_id, p.item_id from unnest(p_lanes || array['']::text[], v_caps || p_max) as l(lane, cap)
    cross join lateral (
      select w.run_id, w.item_id, w.priority, w.visible_at from "{{schema}}".work_items w
      where w.lane = l.lane and w.queue_state in ('ready', 'leased') and w.visible_at <= p_now
      order by w.priority desc, w.visible_at limit l.cap for update skip locked) p
    order by p.priority desc, p.visible_at limit p_max;
end $$;

create or replace function "{{schema}}".claim_items(p_worker text, p_lease_ms bigint, p_max integer, p_lanes text[], p_limits integer[])
returns table (item jsonb, token text, expires_at bigint) language plpgsql
set enable_bitmapscan = off set enable_seqscan = off as $$
declare
  v_now bigint := "{{schema}}".now_ms();
  v_runs text[];
  v_items text[];
  r record;
begin
  -- Losing a claim to a server crash only makes its items claimable again (see migration 0001).
  perform set_config('synchronous_commit', 'off', true);
  select array_agg(x.run_id), array_agg(x.item_id) into v_runs, v_items from (
    select c.run_id, c.item_id from "{{schema}}".claim_pick_limited(p_lanes, p_max, v_now, p_limits) c) x;
  if v_runs is not null then
    perform 1 from "{{schema}}".runs where run_id = any(v_runs) order by run_id for update;
    -- Decide before writing: a corrupt run row or item fails its run, and nothing of that run is leased.
    for r in
      select k.run_id, k.item_id, w.node, w.attempt, "{{schema}}".run_corruption(ru) as run_why,
        "{{schema}}".item_corruption(w) as item_why
      from unnest(v_runs, v_items) as k(run_id, item_id)
      join "{{schema}}".work_items w on w.run_id = k.run_id and w.item_id = k.item_id
      join "{{schema}}".runs ru on ru.run_id = k.run_id
      where ru.status is distinct from 'completed' and ru.status is distinct from 'cancelled'
        and ("{{schema}}".run_corruption(ru) is not null or "{{schema}}".item_corruption(w) is not null)
    loop
      if r.item_why is not null then
        update "{{schema}}".work_items set status = 'dead', queue_state = 'done', lease_token = null, worker_id = null,
          last_error = jsonb_build_object('name', 'CorruptRecordError', 'code', 'CORRUPT_RECORD',
            'message', r.item_why)
        where run_id = r.run_id and item_id = r.item_id;
      end if;
      -- Once per run: a second corrupt item of a run failed a moment ago only adds its dead item.
      if (select ru.status from "{{schema}}".runs ru where ru.run_id = r.run_id) is distinct from 'failed' then
        perform "{{schema}}".fail_corrupt_run(r.run_id, coalesce(r.run_why, r.item_why), r.item_id, r.node, r.attempt);
      end if;
    end loop;
    -- Items of runs that cannot run now leave the claim path: parked (paused, failed) or done (finished,
    -- missing). Run statuses are per-row primary-key lookups (subplans), never a join over all runs.
    update "{{schema}}".work_items w set
      queue_state = case when (select ru.status from "{{schema}}".runs ru where ru.run_id = k.run_id)
        in ('paused', 'failed') then 'parked' else 'done' end,
      status = case when w.status = 'running' then 'pending' else w.status end,
      lease_token = null, worker_id = null
    from unnest(v_runs, v_items) as k(run_id, item_id)
    -- No test of queue_state here (nor in the lease below): it would match the claim index's predicate and
    -- tempt the planner to walk that index instead of the primary key. The rows are the ones picked above;
    -- only an item just found corrupt (now dead) is left alone.
    where w.run_id = k.run_id and w.item_id = k.item_id and w.status <> 'dead'
      and coalesce((select ru.status from "{{schema}}".runs ru where ru.run_id = k.run_id), 'missing')
        in ('paused', 'failed', 'completed', 'cancelled', 'missing');
    return query
    with leased as (
      update "{{schema}}".work_items w set queue_state = 'leased', status = 'running',
        lease_token = gen_random_uuid()::text, worker_id = p_worker, visible_at = v_now + p_lease_ms,
        attempts = greatest(w.attempts, w.attempt)
      from unnest(v_runs, v_items) as k(run_id, item_id)
      where w.run_id = k.run_id and w.item_id = k.item_id
        and (select ru.status in ('queued', 'running') and coalesce(ru.deadline_at > v_now, true)
          from "{{schema}}".runs ru where ru.run_id = k.run_id)
      returning w.run_id, w.item_id, w.attempt, w.node, w.item, w.lease_token, w.visible_at
    ), numbered as (
      select l.run_id, l.item_id, l.node, l.attempt,
        row_number() over (partition by l.run_id order by l.item_id) as rn,
        count(*) over (partition by l.run_id) as n
      from leased l
    ), prior as (
      select d.run_id, ru.event_seq, (ru.status = 'queued')::integer as started
      from (select distinct l.run_id from leased l) d
      cross join lateral (select r2.event_seq, r2.status from "{{schema}}".runs r2 where r2.run_id = d.run_id) ru
    ), bumped as (
      update "{{schema}}".runs ru set status = 'running',
        started_at = case when p.started = 1 then v_now else ru.started_at end,
        event_seq = p.event_seq + p.started + c.n
      from prior p, (select distinct nb.run_id, nb.n from numbered nb) c
      where ru.run_id = p.run_id and c.run_id = p.run_id
    ), run_events as (
      insert into "{{schema}}".events (run_id, seq, at, type, status)
      select p.run_id, p.event_seq + 1, v_now, 'run.status', 'running' from prior p where p.started = 1
    ), step_events as (
      insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt)
      select nb.run_id, p.event_seq + p.started + nb.rn, v_now, 'step.started', nb.item_id, nb.node, nb.attempt
      from numbered nb join prior p on p.run_id = nb.run_id
    )
    select l.item, l.lease_token, l.visible_at from leased l;
  end if;
  -- Deadlines fire even for runs no worker touches (paused, or waiting on a delayed retry). Run rows are
  -- taken with SKIP LOCKED after every row this claim waited for, so the extra locks cannot deadlock.
  perform "{{schema}}".expire_runs(20);
end $$;

