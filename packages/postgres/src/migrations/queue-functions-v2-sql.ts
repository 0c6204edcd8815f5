import { notifyChannel } from '../notify-channel.js';

/**
 * SQL of migration `0002_records_parking_deadlines`, part 2: the queue functions, now with parked items,
 * corrupt-record checks and deadline expiry.
 *
 * @remarks
 * `claim_items` walks only the claim index (`ready` and `leased` items). Whatever it picks it settles under
 * the run row lock: items of runnable runs are leased; a corrupt item or run fails its run
 * (`CORRUPT_RECORD`) before anything is leased; items of paused or failed runs are parked and items of
 * finished or missing runs leave the queue, so an item that reached the index by a race is walked over at
 * most once. Lock order stays items first, then runs in run-id order. At the end the claim fails runs past
 * their deadline (`expire_runs`, never waiting on a lock).
 */
export function queueFunctionsV2Sql(schema: string): string {
  const s = `"${schema}"`;
  const channel = notifyChannel(schema);
  return `
${claimItemsV2Sql(s)}
-- Hands a leased item back. The item row is locked first, then the run row (shared) is read, so a pause or
-- cancel that skipped this locked item is seen here: the item is parked or dropped, never left ready.
create or replace function ${s}.release_lease(p_run text, p_item text, p_token text, p_delay_ms bigint)
returns void language plpgsql as $$
declare
  v_visible bigint := ${s}.now_ms() + greatest(p_delay_ms, 0);
  v_status text;
begin
  perform 1 from ${s}.work_items where run_id = p_run and item_id = p_item and lease_token = p_token
    and queue_state = 'leased' for update;
  if not found then return; end if;
  select status into v_status from ${s}.runs where run_id = p_run for share;
  update ${s}.work_items set
    queue_state = case when v_status is null or v_status in ('completed', 'cancelled') then 'done'
      when v_status in ('paused', 'failed') then 'parked' else 'ready' end,
    visible_at = v_visible, lease_token = null, worker_id = null,
    status = case when status = 'running' then 'pending' else status end
  where run_id = p_run and item_id = p_item;
  if v_status in ('queued', 'running') then perform pg_notify('${channel}', v_visible::text); end if;
end $$;

-- Enqueues items of existing, unfinished runs; an item already present with the same or a later attempt
-- is left alone. The item row is written first, then the run row is read under a shared lock, so a
-- concurrent pause or cancel is respected (parked / dropped). Returns how many were added.
create or replace function ${s}.enqueue_items(p_items jsonb, p_delay_ms bigint) returns integer
language plpgsql as $$
declare
  x jsonb;
  v_status text;
  v_inserted boolean;
  v_count integer := 0;
  v_visible bigint := ${s}.now_ms() + greatest(p_delay_ms, 0);
  v_item_status text := case when p_delay_ms > 0 then 'waiting-retry' else 'pending' end;
begin
  for x in select value from jsonb_array_elements(p_items) loop
    select status into v_status from ${s}.runs where run_id = x->>'runId';
    continue when v_status is null or v_status in ('completed', 'cancelled');
    insert into ${s}.work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
    values (x->>'runId', x->>'itemId', (x->>'attempt')::integer, x->>'node', x, v_item_status, 'ready', v_visible)
    on conflict (run_id, item_id) do update set attempt = excluded.attempt, item = excluded.item,
      status = excluded.status, queue_state = 'ready', visible_at = excluded.visible_at, lease_token = null,
      worker_id = null
    where ${s}.work_items.attempt < excluded.attempt
    returning (xmax = 0) into v_inserted;
    if not found then continue; end if;
    select status into v_status from ${s}.runs where run_id = x->>'runId' for share;
    if v_status is null or v_status not in ('queued', 'running') then
      update ${s}.work_items set queue_state = case when v_status in ('paused', 'failed') then 'parked' else 'done' end
      where run_id = x->>'runId' and item_id = x->>'itemId';
    end if;
    continue when v_status is null or v_status in ('completed', 'cancelled');
    v_count := v_count + 1;
    if v_inserted then
      update ${s}.runs set total_items = total_items + 1 where run_id = x->>'runId';
    end if;
  end loop;
  if v_count > 0 then perform pg_notify('${channel}', v_visible::text); end if;
  return v_count;
end $$;

create or replace function ${s}.purge_run(p_run text) returns integer language plpgsql as $$
declare v_count integer;
begin
  update ${s}.work_items set queue_state = 'done' where run_id = p_run and queue_state in ('ready', 'parked');
  get diagnostics v_count = row_count;
  return v_count;
end $$;

-- The database-clock delays a waiting lease call needs: until the next item of the claim index becomes
-- visible, and until the next deadline of an unfinished run. Null when there is none.
create or replace function ${s}.next_wake() returns table (item_in bigint, deadline_in bigint)
language sql stable as $$
  select (select w.visible_at from ${s}.work_items w where w.queue_state in ('ready', 'leased')
      order by w.visible_at limit 1) - ${s}.now_ms(),
    (select r.deadline_at from ${s}.runs r where r.deadline_at is not null
      and r.status in ('queued', 'running', 'paused') order by r.deadline_at limit 1) - ${s}.now_ms()
$$;
`;
}

/**
 * The text of `claim_items(p_worker, p_lease_ms, p_max)` as migration 0002 creates it (`s`: the quoted
 * schema); later migrations derive their version from it with `replaceSqlBlock`.
 */
export function claimItemsV2Sql(s: string): string {
  return `create or replace function ${s}.claim_items(p_worker text, p_lease_ms bigint, p_max integer)
returns table (item jsonb, token text, expires_at bigint) language plpgsql
set enable_bitmapscan = off set enable_seqscan = off as $$
declare
  v_now bigint := ${s}.now_ms();
  v_runs text[];
  v_items text[];
  r record;
begin
  -- Losing a claim to a server crash only makes its items claimable again (see migration 0001).
  perform set_config('synchronous_commit', 'off', true);
  select array_agg(x.run_id), array_agg(x.item_id) into v_runs, v_items from (
    select w.run_id, w.item_id from ${s}.work_items w
    where w.queue_state in ('ready', 'leased') and w.visible_at <= v_now
    order by w.visible_at
    limit p_max
    for update skip locked) x;
  if v_runs is not null then
    perform 1 from ${s}.runs where run_id = any(v_runs) order by run_id for update;
    -- Decide before writing: a corrupt run row or item fails its run, and nothing of that run is leased.
    for r in
      select k.run_id, k.item_id, w.node, w.attempt, ${s}.run_corruption(ru) as run_why,
        ${s}.item_corruption(w) as item_why
      from unnest(v_runs, v_items) as k(run_id, item_id)
      join ${s}.work_items w on w.run_id = k.run_id and w.item_id = k.item_id
      join ${s}.runs ru on ru.run_id = k.run_id
      where ru.status is distinct from 'completed' and ru.status is distinct from 'cancelled'
        and (${s}.run_corruption(ru) is not null or ${s}.item_corruption(w) is not null)
    loop
      if r.item_why is not null then
        update ${s}.work_items set status = 'dead', queue_state = 'done', lease_token = null, worker_id = null,
          last_error = jsonb_build_object('name', 'CorruptRecordError', 'code', 'CORRUPT_RECORD',
            'message', r.item_why)
        where run_id = r.run_id and item_id = r.item_id;
      end if;
      -- Once per run: a second corrupt item of a run failed a moment ago only adds its dead item.
      if (select ru.status from ${s}.runs ru where ru.run_id = r.run_id) is distinct from 'failed' then
        perform ${s}.fail_corrupt_run(r.run_id, coalesce(r.run_why, r.item_why), r.item_id, r.node, r.attempt);
      end if;
    end loop;
    -- Items of runs that cannot run now leave the claim path: parked (paused, failed) or done (finished,
    -- missing). Run statuses are per-row primary-key lookups (subplans), never a join over all runs.
    update ${s}.work_items w set
      queue_state = case when (select ru.status from ${s}.runs ru where ru.run_id = k.run_id)
        in ('paused', 'failed') then 'parked' else 'done' end,
      status = case when w.status = 'running' then 'pending' else w.status end,
      lease_token = null, worker_id = null
    from unnest(v_runs, v_items) as k(run_id, item_id)
    -- No test of queue_state here (nor in the lease below): it would match the claim index's predicate and
    -- tempt the planner to walk that index instead of the primary key. The rows are the ones picked above;
    -- only an item just found corrupt (now dead) is left alone.
    where w.run_id = k.run_id and w.item_id = k.item_id and w.status <> 'dead'
      and coalesce((select ru.status from ${s}.runs ru where ru.run_id = k.run_id), 'missing')
        in ('paused', 'failed', 'completed', 'cancelled', 'missing');
    return query
    with leased as (
      update ${s}.work_items w set queue_state = 'leased', status = 'running',
        lease_token = gen_random_uuid()::text, worker_id = p_worker, visible_at = v_now + p_lease_ms,
        attempts = greatest(w.attempts, w.attempt)
      from unnest(v_runs, v_items) as k(run_id, item_id)
      where w.run_id = k.run_id and w.item_id = k.item_id
        and (select ru.status in ('queued', 'running') and coalesce(ru.deadline_at > v_now, true)
          from ${s}.runs ru where ru.run_id = k.run_id)
      returning w.run_id, w.item_id, w.attempt, w.node, w.item, w.lease_token, w.visible_at
    ), numbered as (
      select l.run_id, l.item_id, l.node, l.attempt,
        row_number() over (partition by l.run_id order by l.item_id) as rn,
        count(*) over (partition by l.run_id) as n
      from leased l
    ), prior as (
      select d.run_id, ru.event_seq, (ru.status = 'queued')::integer as started
      from (select distinct l.run_id from leased l) d
      cross join lateral (select r2.event_seq, r2.status from ${s}.runs r2 where r2.run_id = d.run_id) ru
    ), bumped as (
      update ${s}.runs ru set status = 'running',
        started_at = case when p.started = 1 then v_now else ru.started_at end,
        event_seq = p.event_seq + p.started + c.n
      from prior p, (select distinct nb.run_id, nb.n from numbered nb) c
      where ru.run_id = p.run_id and c.run_id = p.run_id
    ), run_events as (
      insert into ${s}.events (run_id, seq, at, type, status)
      select p.run_id, p.event_seq + 1, v_now, 'run.status', 'running' from prior p where p.started = 1
    ), step_events as (
      insert into ${s}.events (run_id, seq, at, type, item_id, node, attempt)
      select nb.run_id, p.event_seq + p.started + nb.rn, v_now, 'step.started', nb.item_id, nb.node, nb.attempt
      from numbered nb join prior p on p.run_id = nb.run_id
    )
    select l.item, l.lease_token, l.visible_at from leased l;
  end if;
  -- Deadlines fire even for runs no worker touches (paused, or waiting on a delayed retry). Run rows are
  -- taken with SKIP LOCKED after every row this claim waited for, so the extra locks cannot deadlock.
  perform ${s}.expire_runs(20);
end $$;
`;
}
