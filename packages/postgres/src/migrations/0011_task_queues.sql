--- Migration 0011_task_queues.
--- Claims filtered by workflow version: a worker leases only items it can run;
--- retention by status and workflow.
---
--- `{{schema}}` stands for the schema name (see migration-provider.ts).
--- Defines: claim_pick, claim_items, next_wake, delete_expired_runs.
---
--- SQL of migration `0011_task_queues`: claims filtered by workflow version (a worker leases only items of
--- the workflows it registered, in the task queues it serves).
---
--- @remarks
--- - `work_items.lane` is a stored generated column, `<version>@<workflow>` read from the item (empty when
---   the item does not name them: a corrupt item, which every claim still picks up and fails), and
---   `work_items.priority` the item's run priority (0 when absent), indexed `(lane, priority desc,
---   visible_at)` over the claim states, so a filtered claim walks only its own workflows' items, highest
---   priority first (leased and delayed items of a higher priority are walked over, not claimed).
--- - `claim_pick(p_lanes, p_max, p_now)` picks and locks (`FOR UPDATE SKIP LOCKED`) the items a claim takes:
---   the first visible ones of each requested lane (plus the empty lane) by priority then visibility time,
---   merged in that order; with `p_lanes` null, the oldest of every lane as before (no priority order).
--- - `claim_items(p_worker, p_lease_ms, p_max, p_lanes)` is 0002's `claim_items` with its pick replaced by
---   `claim_pick`; the three-argument version is dropped (callers pass null for no filter).
--- - `next_wake(p_lanes)`: 0002's `next_wake` over the requested lanes only (all with null; the
---   zero-argument version is dropped), so an item nobody running can take never wakes an idle worker.
---
--- SQL of migration `0011_task_queues`, part 2: retention by status and workflow.
---
--- @remarks
--- `delete_expired_runs(p_status, p_age_ms, p_workflow, p_skip, p_limit)` deletes up to `p_limit` runs with
--- status `p_status` that finished more than `p_age_ms` ago (database clock), of workflow `p_workflow` only
--- or, when it is null, of every workflow not in `p_skip`, with everything they own (items, join arrivals,
--- errors, events, node timings; the context tables cascade). It takes locks in 0002's `delete_old_runs`
--- order: item rows first (the order commits and claims use), then the run rows with `SKIP LOCKED`, re-checked
--- under the lock, so a run revived meanwhile is kept and a run another transaction holds waits for the next
--- batch. `runs_status_finished_idx` makes each call one index range, whatever other statuses hold.

alter table "{{schema}}".work_items
  add column lane text collate "C" not null generated always as (
    case when jsonb_typeof(item->'workflow') = 'string' and jsonb_typeof(item->'version') = 'number'
      then (item->>'version') || '@' || (item->>'workflow') else '' end) stored,
  add column priority integer not null generated always as (
    case when jsonb_typeof(item->'priority') = 'number'
      then least(greatest(round((item->>'priority')::numeric), -1000), 1000)::integer else 0 end) stored;
create index work_items_lane_ready_idx on "{{schema}}".work_items (lane, priority desc, visible_at)
  where queue_state in ('ready', 'leased');

create or replace function "{{schema}}".claim_pick(p_lanes text[], p_max integer, p_now bigint)
returns table (run_id text, item_id text) language plpgsql
set enable_bitmapscan = off set enable_seqscan = off as $$
begin
  if p_lanes is null then
    return query select w.run_id, w.item_id from "{{schema}}".work_items w
      where w.queue_state in ('ready', 'leased') and w.visible_at <= p_now
      order by w.visible_at limit p_max for update skip locked;
  else
    -- One index range per lane, each locked as it is read; the lanes merge by visibility time.
    return query select p.run_id, p.item_id from unnest(p_lanes || array['']::text[]) as l(lane)
      cross join lateral (
        select w.run_id, w.item_id, w.priority, w.visible_at from "{{schema}}".work_items w
        where w.lane = l.lane and w.queue_state in ('ready', 'leased') and w.visible_at <= p_now
        order by w.priority desc, w.visible_at limit p_max for update skip locked) p
      order by p.priority desc, p.visible_at limit p_max;
  end if;
end $$;

drop function if exists "{{schema}}".claim_items(text, bigint, integer);
create or replace function "{{schema}}".claim_items(p_worker text, p_lease_ms bigint, p_max integer, p_lanes text[])
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
    select c.run_id, c.item_id from "{{schema}}".claim_pick(p_lanes, p_max, v_now) c) x;
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

create or replace function "{{schema}}".next_wake(p_lanes text[]) returns table (item_in bigint, deadline_in bigint)
language sql stable as $$
  select (case when p_lanes is null then (select w.visible_at from "{{schema}}".work_items w
      where w.queue_state in ('ready', 'leased') order by w.visible_at limit 1)
    else (select min(n.visible_at) from unnest(p_lanes || array['']::text[]) as l(lane)
      cross join lateral (select w.visible_at from "{{schema}}".work_items w
        where w.lane = l.lane and w.queue_state in ('ready', 'leased')
        order by w.visible_at limit 1) n) end) - "{{schema}}".now_ms(),
    (select r.deadline_at from "{{schema}}".runs r where r.deadline_at is not null
      and r.status in ('queued', 'running', 'paused') order by r.deadline_at limit 1) - "{{schema}}".now_ms()
$$;
drop function if exists "{{schema}}".next_wake();

create index if not exists runs_status_finished_idx on "{{schema}}".runs (status, finished_at)
  where status in ('completed', 'failed', 'cancelled');

create or replace function "{{schema}}".delete_expired_runs(p_status text, p_age_ms bigint, p_workflow text,
  p_skip text[], p_limit integer) returns integer
language plpgsql as $$
declare
  v_before bigint := "{{schema}}".now_ms() - greatest(p_age_ms, 0);
  v_candidates text[];
  v_ids text[];
begin
  select array_agg(run_id) into v_candidates from (
    select r.run_id from "{{schema}}".runs r
    where r.status = p_status and r.finished_at < v_before
      and (p_workflow is null or r.workflow = p_workflow)
      and (p_workflow is not null or r.workflow <> all(coalesce(p_skip, array[]::text[])))
    order by r.finished_at limit p_limit) x;
  if v_candidates is null then return 0; end if;
  perform 1 from "{{schema}}".work_items where run_id = any(v_candidates) order by run_id, item_id for update;
  select array_agg(run_id) into v_ids from (
    select run_id from "{{schema}}".runs where run_id = any(v_candidates)
      and status = p_status and finished_at < v_before
    order by run_id for update skip locked) x;
  if v_ids is null then return 0; end if;
  delete from "{{schema}}".work_items where run_id = any(v_ids);
  delete from "{{schema}}".join_arrivals where run_id = any(v_ids);
  delete from "{{schema}}".errors where run_id = any(v_ids);
  delete from "{{schema}}".events where run_id = any(v_ids);
  delete from "{{schema}}".node_timings where run_id = any(v_ids);
  delete from "{{schema}}".runs where run_id = any(v_ids);
  return cardinality(v_ids);
end $$;
