import { notifyChannel } from '../notify-channel.js';
import { waiterLockSql } from './waiter-lock-sql.js';

/**
 * SQL functions of migration `0001_initial` behind the work queue: claim, extend, release, enqueue, purge,
 * waiter registration.
 *
 * @remarks
 * `claim_items` locks the chosen items with `FOR UPDATE SKIP LOCKED` (concurrent claims never wait on each
 * other and never get the same item), then locks their runs in run-id order, re-reads their status and only
 * then leases: a run cancelled or paused while the items were being picked is respected. Items first, run
 * second is the order commits use too, so claims and commits cannot deadlock.
 */
export function queueFunctionsSql(schema: string): string {
  const s = `"${schema}"`;
  const channel = notifyChannel(schema);
  const waiterLock = waiterLockSql(schema);
  return `
create or replace function ${s}.claim_items(p_worker text, p_lease_ms bigint, p_max integer)
returns table (item jsonb, token text, expires_at bigint) language plpgsql
-- The pick must walk the claim index in visible_at order and stop after p_max rows. Misled by young
-- statistics the planner otherwise reads every ready item (bitmap scan), checks each run and sorts them.
set enable_bitmapscan = off set enable_seqscan = off as $$
declare
  v_now bigint := ${s}.now_ms();
  v_runs text[];
  v_items text[];
begin
  -- The run's status is a per-row primary-key lookup (a subplan), never a join the planner may turn into a
  -- scan of every running run: on a young table, stale statistics made that a nested loop over all runs.
  select array_agg(x.run_id), array_agg(x.item_id) into v_runs, v_items from (
    select w.run_id, w.item_id from ${s}.work_items w
    where w.queue_state <> 'done' and w.visible_at <= v_now
      and (select ru.status from ${s}.runs ru where ru.run_id = w.run_id) in ('queued', 'running')
    order by w.visible_at
    limit p_max
    for update skip locked) x;
  if v_runs is null then return; end if;
  -- A claim lost to a server crash only makes its items claimable again, which a crash does to every lease
  -- anyway; and a later synchronous commit (commit_step of the claimed step) flushes the WAL past it. So the
  -- claim does not wait for its own WAL flush.
  perform set_config('synchronous_commit', 'off', true);
  perform 1 from ${s}.runs where run_id = any(v_runs) order by run_id for update;
  -- A run finished while its items were picked: they leave the queue instead of being leased.
  -- Run statuses below are read by primary key per item (subplans) for the same reason as in the pick.
  update ${s}.work_items w set queue_state = 'done', lease_token = null, worker_id = null
  from unnest(v_runs, v_items) as k(run_id, item_id)
  where w.run_id = k.run_id and w.item_id = k.item_id
    and (select ru.status from ${s}.runs ru where ru.run_id = k.run_id) in ('completed', 'cancelled');
  -- Set-based: the leases, each run row written once (status, event counter), every event in one insert.
  -- The run rows are locked above, so the snapshot read by prior is their current state.
  return query
  with leased as (
    update ${s}.work_items w set queue_state = 'leased', status = 'running',
      lease_token = gen_random_uuid()::text, worker_id = p_worker, visible_at = v_now + p_lease_ms,
      attempts = greatest(w.attempts, w.attempt)
    from unnest(v_runs, v_items) as k(run_id, item_id)
    where w.run_id = k.run_id and w.item_id = k.item_id
      and (select ru.status from ${s}.runs ru where ru.run_id = k.run_id) in ('queued', 'running')
    returning w.run_id, w.item_id, w.attempt, w.node, w.item, w.lease_token, w.visible_at
  ), numbered as (
    select l.run_id, l.item_id, l.node, l.attempt,
      row_number() over (partition by l.run_id order by l.item_id) as rn,
      count(*) over (partition by l.run_id) as n
    from leased l
  ), prior as (
    select d.run_id, ru.event_seq, (ru.status = 'queued')::integer as started
    from (select distinct l.run_id from leased l) d
    cross join lateral (select r.event_seq, r.status from ${s}.runs r where r.run_id = d.run_id) ru
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
end $$;

create or replace function ${s}.extend_lease(p_run text, p_item text, p_token text, p_lease_ms bigint)
returns text language plpgsql as $$
declare
  v_status text;
  v_token text;
  v_state text;
begin
  -- Losing an extension to a crash is harmless (a crash ends every lease); no wait for the WAL flush.
  perform set_config('synchronous_commit', 'off', true);
  -- No statement here waits on a row lock: a heartbeat must not queue behind the commit or claim holding
  -- the item or its run (plain reads never wait; writes take the item with SKIP LOCKED).
  select status into v_status from ${s}.runs where run_id = p_run;
  if v_status is null or v_status in ('completed', 'failed', 'cancelled') then
    -- The step is abandoned: a completed or cancelled run's item leaves the queue now rather than at expiry
    -- (cancel skips rows locked at that instant, e.g. by this very heartbeat).
    if v_status in ('completed', 'cancelled') then
      update ${s}.work_items w set queue_state = 'done', lease_token = null, worker_id = null
      from (select run_id, item_id from ${s}.work_items where run_id = p_run and item_id = p_item
        for update skip locked) k
      where w.run_id = k.run_id and w.item_id = k.item_id and w.lease_token = p_token and w.queue_state = 'leased';
    end if;
    return 'cancelled';
  end if;
  update ${s}.work_items w set visible_at = ${s}.now_ms() + p_lease_ms
  from (select run_id, item_id from ${s}.work_items where run_id = p_run and item_id = p_item
    for update skip locked) k
  where w.run_id = k.run_id and w.item_id = k.item_id and w.lease_token = p_token and w.queue_state = 'leased';
  if found then return 'active'; end if;
  -- Skipped (locked) or not ours: the last committed version tells. A row locked while still leased to this
  -- token is being committed by this very step (or reclaimed after expiry, which the next beat reports):
  -- the lock is released within milliseconds, so the lease counts as active rather than waited for.
  select lease_token, queue_state into v_token, v_state from ${s}.work_items
  where run_id = p_run and item_id = p_item;
  if v_token = p_token and v_state = 'leased' then return 'active'; end if;
  return 'lost';
end $$;

create or replace function ${s}.release_lease(p_run text, p_item text, p_token text, p_delay_ms bigint)
returns void language plpgsql as $$
declare
  v_visible bigint := ${s}.now_ms() + greatest(p_delay_ms, 0);
  v_status text;
begin
  select status into v_status from ${s}.runs where run_id = p_run;
  if v_status in ('completed', 'cancelled') then
    -- Nobody will ever claim it again: drop it instead of queueing it.
    update ${s}.work_items set queue_state = 'done', lease_token = null, worker_id = null,
      status = case when status = 'running' then 'pending' else status end
    where run_id = p_run and item_id = p_item and lease_token = p_token and queue_state = 'leased';
    return;
  end if;
  update ${s}.work_items set queue_state = 'ready', visible_at = v_visible, lease_token = null, worker_id = null,
    status = case when status = 'running' then 'pending' else status end
  where run_id = p_run and item_id = p_item and lease_token = p_token and queue_state = 'leased';
  if found then perform pg_notify('${channel}', v_visible::text); end if;
end $$;

-- Enqueues items of existing, unfinished runs; an item already present with the same or a later attempt
-- (queued, leased or committed) is left alone. Returns how many were added.
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
    v_count := v_count + 1;
    if v_inserted then
      update ${s}.runs set total_items = total_items + 1 where run_id = x->>'runId';
    end if;
  end loop;
  if v_count > 0 then perform pg_notify('${channel}', v_visible::text); end if;
  return v_count;
end $$;

-- A lease call about to wait announces it for p_wait_ms (database clock). The exclusive lock waits for the
-- commits that are deciding whether to notify (they hold it shared until they end): each of them either
-- ended before this returns, so the claim the caller makes next sees its items, or sees this row and
-- notifies. Rows of processes that died are dropped an hour after they lapsed.
create or replace function ${s}.register_waiter(p_waiter text, p_wait_ms bigint) returns void
language plpgsql as $$
declare v_until bigint := ${s}.now_ms() + greatest(p_wait_ms, 0);
begin
  perform pg_advisory_xact_lock(${waiterLock});
  insert into ${s}.waiters as w (waiter_id, idle_until) values (p_waiter, v_until)
  on conflict (waiter_id) do update set idle_until = greatest(w.idle_until, excluded.idle_until);
  delete from ${s}.waiters where idle_until < v_until - 3600000;
end $$;

create or replace function ${s}.purge_run(p_run text) returns integer language plpgsql as $$
declare v_count integer;
begin
  update ${s}.work_items set queue_state = 'done' where run_id = p_run and queue_state = 'ready';
  get diagnostics v_count = row_count;
  return v_count;
end $$;
`;
}
