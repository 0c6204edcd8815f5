// Generated from ../*.sql by scripts/sql-codegen.mjs (nx run @floxide/postgres:codegen): do not edit.

/**
 * The SQL of every migration by name, in order: `up` and, for some, `down`, each executed as one script
 * with `{{schema}}` standing for the schema name (see `migration-provider.ts`).
 */
export const SQL_MIGRATIONS: Readonly<Record<string, { readonly up: string; readonly down?: string }>> = {
  /**
   * Migration 0001_initial.
   * The tables, the run and queue functions and `commit_step` (one step recorded in one transaction).
   *
   * `{{schema}}` stands for the schema name (see migration-provider.ts).
   * Defines: now_ms, run_json, event_json, add_event, start_run, control_run, fail_run, delete_finished_runs,
   *   claim_items, extend_lease, release_lease, enqueue_items, register_waiter, purge_run, commit_step.
   *
   * DDL of the tables and indexes of migration `0001_initial`, for one schema.
   *
   * @remarks
   * Times are epoch milliseconds in `bigint` columns, so they compare directly with the engine's timestamps.
   * Identifier columns use the "C" collation: listing orders then match JavaScript's string order.
   * Queue visibility lives in one column, `visible_at`: the ready time of a queued or delayed item and the
   * lease deadline of a leased one, so one partial index serves both "ready" and "lease expired" claims.
   *
   * SQL functions of migration `0001_initial` that create and control runs.
   *
   * @remarks
   * Each backend operation is one function call, so it costs one round trip and holds its row locks only for
   * the time the server needs. Lock order everywhere: work item rows first, then the run row; a function
   * that holds a run row touches other items only with `SKIP LOCKED` (see `0001_initial.sql`).
   *
   * SQL functions of migration `0001_initial` behind the work queue: claim, extend, release, enqueue, purge,
   * waiter registration.
   *
   * @remarks
   * `claim_items` locks the chosen items with `FOR UPDATE SKIP LOCKED` (concurrent claims never wait on each
   * other and never get the same item), then locks their runs in run-id order, re-reads their status and only
   * then leases: a run cancelled or paused while the items were being picked is respected. Items first, run
   * second is the order commits use too, so claims and commits cannot deadlock.
   *
   * SQL of `commit_step(p jsonb)`: one step recorded in one transaction and one round trip.
   *
   * @remarks
   * `p` is `{ item, token, at, outcome, context? }` (the lease's item, the step outcome as the engine built it,
   * the context update if any). The function follows `Backend.commit` exactly as the memory backend does:
   * 1. lock the item row, answer `duplicate` when this `(itemId, attempt)` was already committed — before
   *    touching the run row, so a duplicate never waits on (or deadlocks with) the run;
   * 2. lock the run row: `rejected` for a missing, cancelled or finished run; `conflict` for a stale context;
   * 3. apply the outcome (item state, successors, join arrivals, retry item, fallbacks, output, failure,
   *    metrics, timings, error records, events) and fail a drained run with `NO_TERMINAL_OUTPUT`;
   * 4. write the run row once and notify idle workers when something became claimable and a lease call may
   *    be waiting (a registered waiter, see `register_waiter`).
   * Items other than the committed one are touched only by inserts of new rows or with `SKIP LOCKED`.
   */
  '0001_initial': {
    up: `
create table "{{schema}}".runs (
  run_id text collate "C" primary key,
  workflow text collate "C" not null,
  version integer not null,
  status text not null,
  input jsonb,
  output jsonb,
  error jsonb,
  created_at bigint not null,
  started_at bigint,
  finished_at bigint,
  deadline_at bigint,
  context jsonb,
  context_version integer not null default 0,
  total_items integer not null default 0,
  completed integer not null default 0,
  failed integer not null default 0,
  retries integer not null default 0,
  event_seq bigint not null default 0
);
create index runs_created_idx on "{{schema}}".runs (created_at desc, run_id desc);
create index runs_status_created_idx on "{{schema}}".runs (status, created_at desc, run_id desc);
create index runs_workflow_created_idx on "{{schema}}".runs (workflow, created_at desc, run_id desc);
create index runs_finished_idx on "{{schema}}".runs (finished_at) where status in ('completed', 'failed', 'cancelled');

create table "{{schema}}".work_items (
  run_id text collate "C" not null,
  item_id text collate "C" not null,
  seq bigserial not null,
  attempt integer not null,
  node text not null,
  item jsonb not null,
  status text not null,
  queue_state text not null,
  visible_at bigint not null,
  lease_token text,
  worker_id text,
  attempts integer not null default 0,
  last_error jsonb,
  primary key (run_id, item_id)
);
create index work_items_claim_idx on "{{schema}}".work_items (visible_at) where queue_state <> 'done';
create index work_items_open_idx on "{{schema}}".work_items (run_id) where queue_state <> 'done';

create table "{{schema}}".join_arrivals (
  run_id text collate "C" not null,
  join_item_id text collate "C" not null,
  idx integer not null,
  total integer not null,
  value jsonb not null,
  primary key (run_id, join_item_id, idx)
);

create table "{{schema}}".errors (
  id bigserial primary key,
  run_id text collate "C" not null,
  item_id text not null,
  node text not null,
  attempt integer not null,
  error jsonb not null,
  at bigint not null
);
create index errors_run_idx on "{{schema}}".errors (run_id, id);

create table "{{schema}}".events (
  run_id text collate "C" not null,
  seq bigint not null,
  at bigint not null,
  type text not null,
  status text,
  item_id text,
  node text,
  attempt integer,
  error jsonb,
  primary key (run_id, seq)
);

create table "{{schema}}".node_timings (
  run_id text collate "C" not null,
  node text collate "C" not null,
  count integer not null,
  total_ms double precision not null,
  max_ms double precision not null,
  primary key (run_id, node)
);

-- Lease calls about to wait for work: commits notify only while one may be waiting (see register_waiter).
create table "{{schema}}".waiters (
  waiter_id text collate "C" primary key,
  idle_until bigint not null
);

create table "{{schema}}".workers (
  worker_id text collate "C" primary key,
  health jsonb not null,
  last_heartbeat bigint not null
);

create or replace function "{{schema}}".now_ms() returns bigint language sql volatile
as $$ select (extract(epoch from clock_timestamp()) * 1000)::bigint $$;

create or replace function "{{schema}}".run_json(r "{{schema}}".runs) returns jsonb language sql stable as $$
  select jsonb_build_object('runId', r.run_id, 'workflow', r.workflow, 'version', r.version, 'status', r.status,
      'createdAt', r.created_at)
    || case when r.input is null then '{}'::jsonb else jsonb_build_object('input', r.input) end
    || case when r.output is null then '{}'::jsonb else jsonb_build_object('output', r.output) end
    || case when r.error is null then '{}'::jsonb else jsonb_build_object('error', r.error) end
    || case when r.started_at is null then '{}'::jsonb else jsonb_build_object('startedAt', r.started_at) end
    || case when r.finished_at is null then '{}'::jsonb else jsonb_build_object('finishedAt', r.finished_at) end
    || case when r.deadline_at is null then '{}'::jsonb else jsonb_build_object('deadlineAt', r.deadline_at) end
$$;

create or replace function "{{schema}}".event_json(e "{{schema}}".events) returns jsonb language sql stable as $$
  select jsonb_build_object('seq', e.seq, 'runId', e.run_id, 'at', e.at, 'type', e.type)
    || case when e.status is null then '{}'::jsonb else jsonb_build_object('status', e.status) end
    || case when e.item_id is null then '{}'::jsonb else jsonb_build_object('itemId', e.item_id) end
    || case when e.node is null then '{}'::jsonb else jsonb_build_object('node', e.node) end
    || case when e.attempt is null then '{}'::jsonb else jsonb_build_object('attempt', e.attempt) end
    || case when e.error is null then '{}'::jsonb else jsonb_build_object('error', e.error) end
$$;

-- Appends one event with the next per-run sequence number; the caller holds the run row lock.
create or replace function "{{schema}}".add_event(p_run text, p_at bigint, p_type text, p_status text, p_item text,
    p_node text, p_attempt integer, p_error jsonb) returns void language plpgsql as $$
declare v_seq bigint;
begin
  update "{{schema}}".runs set event_seq = event_seq + 1 where run_id = p_run returning event_seq into v_seq;
  if v_seq is not null then
    insert into "{{schema}}".events (run_id, seq, at, type, status, item_id, node, attempt, error)
    values (p_run, v_seq, p_at, p_type, p_status, p_item, p_node, p_attempt, p_error);
  end if;
end $$;

create or replace function "{{schema}}".start_run(p jsonb) returns jsonb language plpgsql as $$
declare
  v_run "{{schema}}".runs%rowtype;
  v_item jsonb := p->'startItem';
  v_now bigint := "{{schema}}".now_ms();
begin
  insert into "{{schema}}".runs (run_id, workflow, version, status, input, created_at, deadline_at, context, total_items)
  values (p->>'runId', p->>'workflow', (p->>'version')::integer, 'queued', p->'input', (p->>'createdAt')::bigint,
    (p->>'deadlineAt')::bigint, coalesce(p->'context', 'null'::jsonb), 1)
  on conflict (run_id) do nothing
  returning * into v_run;
  if not found then
    select * into v_run from "{{schema}}".runs where run_id = p->>'runId';
    return jsonb_build_object('created', false, 'run', "{{schema}}".run_json(v_run));
  end if;
  insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
  values (v_item->>'runId', v_item->>'itemId', (v_item->>'attempt')::integer, v_item->>'node', v_item, 'pending',
    'ready', v_now)
  on conflict (run_id, item_id) do nothing;
  perform "{{schema}}".add_event(v_run.run_id, (p->>'createdAt')::bigint, 'run.status', 'queued', null, null, null, null);
  perform pg_notify('floxide_{{schema}}', v_now::text);
  return jsonb_build_object('created', true, 'run', "{{schema}}".run_json(v_run));
end $$;

create or replace function "{{schema}}".control_run(p_run text, p_action text, p_at bigint) returns jsonb
language plpgsql as $$
declare
  v_run "{{schema}}".runs%rowtype;
  v_new text;
  v_now bigint := "{{schema}}".now_ms();
begin
  select * into v_run from "{{schema}}".runs where run_id = p_run for update;
  if not found then return jsonb_build_object('error', 'RUN_NOT_FOUND'); end if;
  if p_action = 'pause' and v_run.status in ('queued', 'running') then v_new := 'paused';
  elsif p_action = 'resume' and v_run.status = 'paused' then v_new := 'running';
  elsif p_action = 'cancel' and v_run.status in ('queued', 'running', 'paused') then v_new := 'cancelled';
  elsif p_action = 'retryFailed' and v_run.status = 'failed' then v_new := 'running';
  else return jsonb_build_object('error', 'RUN_STATE', 'status', v_run.status);
  end if;
  if p_action = 'retryFailed' and not exists (select 1 from "{{schema}}".work_items where run_id = p_run
      and (status = 'dead' or queue_state <> 'done')) then
    return jsonb_build_object('error', 'RUN_STATE', 'status', v_run.status, 'reason', 'no failed items');
  end if;

  if v_new = 'cancelled' then
    -- Items being claimed right now are skipped: the claim re-reads the run and drops them.
    update "{{schema}}".work_items w set queue_state = 'done', lease_token = null, worker_id = null
    where (w.run_id, w.item_id) in (select run_id, item_id from "{{schema}}".work_items
      where run_id = p_run and queue_state <> 'done' for update skip locked);
    update "{{schema}}".runs set status = v_new, finished_at = p_at, error = jsonb_build_object('name', 'CancelledError',
      'code', 'CANCELLED', 'message', 'Run ' || p_run || ' was cancelled') where run_id = p_run;
  elsif p_action = 'retryFailed' then
    update "{{schema}}".work_items set attempt = attempt + 1,
      item = jsonb_set(item, '{attempt}', to_jsonb(attempt + 1)), status = 'pending', queue_state = 'ready',
      visible_at = v_now, lease_token = null, worker_id = null
    where run_id = p_run and status = 'dead';
    update "{{schema}}".runs set status = v_new, error = null, finished_at = null where run_id = p_run;
  else
    update "{{schema}}".runs set status = v_new where run_id = p_run;
  end if;
  perform "{{schema}}".add_event(p_run, p_at, 'run.status', v_new, null, null, null,
    (select error from "{{schema}}".runs where run_id = p_run));
  if v_new = 'running' then perform pg_notify('floxide_{{schema}}', v_now::text); end if;
  select * into v_run from "{{schema}}".runs where run_id = p_run;
  return jsonb_build_object('run', "{{schema}}".run_json(v_run));
end $$;

create or replace function "{{schema}}".fail_run(p_run text, p_error jsonb, p_at bigint) returns void language plpgsql as $$
declare v_status text;
begin
  select status into v_status from "{{schema}}".runs where run_id = p_run for update;
  if v_status is null or v_status in ('completed', 'failed', 'cancelled') then return; end if;
  update "{{schema}}".runs set status = 'failed', error = p_error, finished_at = p_at where run_id = p_run;
  insert into "{{schema}}".errors (run_id, item_id, node, attempt, error, at) values (p_run, '', '', 0, p_error, p_at);
  perform "{{schema}}".add_event(p_run, p_at, 'run.status', 'failed', null, null, null, p_error);
end $$;

-- Deletes up to p_limit finished runs that finished before p_before, with everything they own.
create or replace function "{{schema}}".delete_finished_runs(p_before bigint, p_limit integer) returns integer
language plpgsql as $$
declare v_ids text[];
begin
  select array_agg(run_id) into v_ids from (
    select run_id from "{{schema}}".runs
    where status in ('completed', 'failed', 'cancelled') and finished_at < p_before
    order by finished_at limit p_limit for update skip locked) x;
  if v_ids is null then return 0; end if;
  delete from "{{schema}}".work_items where run_id = any(v_ids);
  delete from "{{schema}}".join_arrivals where run_id = any(v_ids);
  delete from "{{schema}}".errors where run_id = any(v_ids);
  delete from "{{schema}}".events where run_id = any(v_ids);
  delete from "{{schema}}".node_timings where run_id = any(v_ids);
  delete from "{{schema}}".runs where run_id = any(v_ids);
  return cardinality(v_ids);
end $$;

create or replace function "{{schema}}".claim_items(p_worker text, p_lease_ms bigint, p_max integer)
returns table (item jsonb, token text, expires_at bigint) language plpgsql
-- The pick must walk the claim index in visible_at order and stop after p_max rows. Misled by young
-- statistics the planner otherwise reads every ready item (bitmap scan), checks each run and sorts them.
set enable_bitmapscan = off set enable_seqscan = off as $$
declare
  v_now bigint := "{{schema}}".now_ms();
  v_runs text[];
  v_items text[];
begin
  -- The run's status is a per-row primary-key lookup (a subplan), never a join the planner may turn into a
  -- scan of every running run: on a young table, stale statistics made that a nested loop over all runs.
  select array_agg(x.run_id), array_agg(x.item_id) into v_runs, v_items from (
    select w.run_id, w.item_id from "{{schema}}".work_items w
    where w.queue_state <> 'done' and w.visible_at <= v_now
      and (select ru.status from "{{schema}}".runs ru where ru.run_id = w.run_id) in ('queued', 'running')
    order by w.visible_at
    limit p_max
    for update skip locked) x;
  if v_runs is null then return; end if;
  -- A claim lost to a server crash only makes its items claimable again, which a crash does to every lease
  -- anyway; and a later synchronous commit (commit_step of the claimed step) flushes the WAL past it. So the
  -- claim does not wait for its own WAL flush.
  perform set_config('synchronous_commit', 'off', true);
  perform 1 from "{{schema}}".runs where run_id = any(v_runs) order by run_id for update;
  -- A run finished while its items were picked: they leave the queue instead of being leased.
  -- Run statuses below are read by primary key per item (subplans) for the same reason as in the pick.
  update "{{schema}}".work_items w set queue_state = 'done', lease_token = null, worker_id = null
  from unnest(v_runs, v_items) as k(run_id, item_id)
  where w.run_id = k.run_id and w.item_id = k.item_id
    and (select ru.status from "{{schema}}".runs ru where ru.run_id = k.run_id) in ('completed', 'cancelled');
  -- Set-based: the leases, each run row written once (status, event counter), every event in one insert.
  -- The run rows are locked above, so the snapshot read by prior is their current state.
  return query
  with leased as (
    update "{{schema}}".work_items w set queue_state = 'leased', status = 'running',
      lease_token = gen_random_uuid()::text, worker_id = p_worker, visible_at = v_now + p_lease_ms,
      attempts = greatest(w.attempts, w.attempt)
    from unnest(v_runs, v_items) as k(run_id, item_id)
    where w.run_id = k.run_id and w.item_id = k.item_id
      and (select ru.status from "{{schema}}".runs ru where ru.run_id = k.run_id) in ('queued', 'running')
    returning w.run_id, w.item_id, w.attempt, w.node, w.item, w.lease_token, w.visible_at
  ), numbered as (
    select l.run_id, l.item_id, l.node, l.attempt,
      row_number() over (partition by l.run_id order by l.item_id) as rn,
      count(*) over (partition by l.run_id) as n
    from leased l
  ), prior as (
    select d.run_id, ru.event_seq, (ru.status = 'queued')::integer as started
    from (select distinct l.run_id from leased l) d
    cross join lateral (select r.event_seq, r.status from "{{schema}}".runs r where r.run_id = d.run_id) ru
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
end $$;

create or replace function "{{schema}}".extend_lease(p_run text, p_item text, p_token text, p_lease_ms bigint)
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
  select status into v_status from "{{schema}}".runs where run_id = p_run;
  if v_status is null or v_status in ('completed', 'failed', 'cancelled') then
    -- The step is abandoned: a completed or cancelled run's item leaves the queue now rather than at expiry
    -- (cancel skips rows locked at that instant, e.g. by this very heartbeat).
    if v_status in ('completed', 'cancelled') then
      update "{{schema}}".work_items w set queue_state = 'done', lease_token = null, worker_id = null
      from (select run_id, item_id from "{{schema}}".work_items where run_id = p_run and item_id = p_item
        for update skip locked) k
      where w.run_id = k.run_id and w.item_id = k.item_id and w.lease_token = p_token and w.queue_state = 'leased';
    end if;
    return 'cancelled';
  end if;
  update "{{schema}}".work_items w set visible_at = "{{schema}}".now_ms() + p_lease_ms
  from (select run_id, item_id from "{{schema}}".work_items where run_id = p_run and item_id = p_item
    for update skip locked) k
  where w.run_id = k.run_id and w.item_id = k.item_id and w.lease_token = p_token and w.queue_state = 'leased';
  if found then return 'active'; end if;
  -- Skipped (locked) or not ours: the last committed version tells. A row locked while still leased to this
  -- token is being committed by this very step (or reclaimed after expiry, which the next beat reports):
  -- the lock is released within milliseconds, so the lease counts as active rather than waited for.
  select lease_token, queue_state into v_token, v_state from "{{schema}}".work_items
  where run_id = p_run and item_id = p_item;
  if v_token = p_token and v_state = 'leased' then return 'active'; end if;
  return 'lost';
end $$;

create or replace function "{{schema}}".release_lease(p_run text, p_item text, p_token text, p_delay_ms bigint)
returns void language plpgsql as $$
declare
  v_visible bigint := "{{schema}}".now_ms() + greatest(p_delay_ms, 0);
  v_status text;
begin
  select status into v_status from "{{schema}}".runs where run_id = p_run;
  if v_status in ('completed', 'cancelled') then
    -- Nobody will ever claim it again: drop it instead of queueing it.
    update "{{schema}}".work_items set queue_state = 'done', lease_token = null, worker_id = null,
      status = case when status = 'running' then 'pending' else status end
    where run_id = p_run and item_id = p_item and lease_token = p_token and queue_state = 'leased';
    return;
  end if;
  update "{{schema}}".work_items set queue_state = 'ready', visible_at = v_visible, lease_token = null, worker_id = null,
    status = case when status = 'running' then 'pending' else status end
  where run_id = p_run and item_id = p_item and lease_token = p_token and queue_state = 'leased';
  if found then perform pg_notify('floxide_{{schema}}', v_visible::text); end if;
end $$;

-- Enqueues items of existing, unfinished runs; an item already present with the same or a later attempt
-- (queued, leased or committed) is left alone. Returns how many were added.
create or replace function "{{schema}}".enqueue_items(p_items jsonb, p_delay_ms bigint) returns integer
language plpgsql as $$
declare
  x jsonb;
  v_status text;
  v_inserted boolean;
  v_count integer := 0;
  v_visible bigint := "{{schema}}".now_ms() + greatest(p_delay_ms, 0);
  v_item_status text := case when p_delay_ms > 0 then 'waiting-retry' else 'pending' end;
begin
  for x in select value from jsonb_array_elements(p_items) loop
    select status into v_status from "{{schema}}".runs where run_id = x->>'runId';
    continue when v_status is null or v_status in ('completed', 'cancelled');
    insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
    values (x->>'runId', x->>'itemId', (x->>'attempt')::integer, x->>'node', x, v_item_status, 'ready', v_visible)
    on conflict (run_id, item_id) do update set attempt = excluded.attempt, item = excluded.item,
      status = excluded.status, queue_state = 'ready', visible_at = excluded.visible_at, lease_token = null,
      worker_id = null
    where "{{schema}}".work_items.attempt < excluded.attempt
    returning (xmax = 0) into v_inserted;
    if not found then continue; end if;
    v_count := v_count + 1;
    if v_inserted then
      update "{{schema}}".runs set total_items = total_items + 1 where run_id = x->>'runId';
    end if;
  end loop;
  if v_count > 0 then perform pg_notify('floxide_{{schema}}', v_visible::text); end if;
  return v_count;
end $$;

-- A lease call about to wait announces it for p_wait_ms (database clock). The exclusive lock waits for the
-- commits that are deciding whether to notify (they hold it shared until they end): each of them either
-- ended before this returns, so the claim the caller makes next sees its items, or sees this row and
-- notifies. Rows of processes that died are dropped an hour after they lapsed.
create or replace function "{{schema}}".register_waiter(p_waiter text, p_wait_ms bigint) returns void
language plpgsql as $$
declare v_until bigint := "{{schema}}".now_ms() + greatest(p_wait_ms, 0);
begin
  perform pg_advisory_xact_lock(hashtext('floxide_waiters:{{schema}}'), 1);
  insert into "{{schema}}".waiters as w (waiter_id, idle_until) values (p_waiter, v_until)
  on conflict (waiter_id) do update set idle_until = greatest(w.idle_until, excluded.idle_until);
  delete from "{{schema}}".waiters where idle_until < v_until - 3600000;
end $$;

create or replace function "{{schema}}".purge_run(p_run text) returns integer language plpgsql as $$
declare v_count integer;
begin
  update "{{schema}}".work_items set queue_state = 'done' where run_id = p_run and queue_state = 'ready';
  get diagnostics v_count = row_count;
  return v_count;
end $$;

create or replace function "{{schema}}".commit_step(p jsonb) returns jsonb language plpgsql as $$
declare
  v_lease jsonb := p->'item';
  v_run_id text := v_lease->>'runId';
  v_item_id text := v_lease->>'itemId';
  v_node text := v_lease->>'node';
  v_attempt integer := (v_lease->>'attempt')::integer;
  v_at bigint := (p->>'at')::bigint;
  o jsonb := p->'outcome';
  v_kind text := o->>'kind';
  v_duration double precision := coalesce((o->>'durationMs')::double precision, 0);
  v_now bigint := "{{schema}}".now_ms();
  v_run "{{schema}}".runs%rowtype;
  v_item "{{schema}}".work_items%rowtype;
  v_has_item boolean;
  v_seq bigint;
  v_added integer := 0;
  v_n integer;
  v_wake bigint;
  v_join_id text;
  v_join_input jsonb;
  x jsonb;
begin
  select * into v_item from "{{schema}}".work_items where run_id = v_run_id and item_id = v_item_id for update;
  v_has_item := found;
  if v_has_item and (v_item.attempt > v_attempt
      or (v_item.attempt = v_attempt and v_item.status in ('completed', 'failed', 'dead'))) then
    return jsonb_build_object('status', 'duplicate');
  end if;
  select * into v_run from "{{schema}}".runs where run_id = v_run_id for update;
  if not found then return jsonb_build_object('status', 'rejected', 'runStatus', 'cancelled'); end if;
  if v_run.status in ('completed', 'failed', 'cancelled') then
    return jsonb_build_object('status', 'rejected', 'runStatus', v_run.status);
  end if;
  if jsonb_typeof(p->'context') = 'object' then
    if v_run.context_version <> (p->'context'->>'expectedVersion')::integer then
      return jsonb_build_object('status', 'conflict');
    end if;
    v_run.context := coalesce(p->'context'->'state', 'null'::jsonb);
    v_run.context_version := v_run.context_version + 1;
  end if;
  if not v_has_item then
    -- Committed under a lease this queue never handed out (a tool replaying a step): keep its state anyway.
    insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
    values (v_run_id, v_item_id, v_attempt, v_node, v_lease, 'running', 'done', v_now);
  end if;
  v_seq := v_run.event_seq;

  if v_kind = 'advance' then
    update "{{schema}}".work_items set status = 'completed', queue_state = 'done', lease_token = null, worker_id = null,
      attempts = greatest(attempts, v_attempt)
    where run_id = v_run_id and item_id = v_item_id;
    v_run.completed := v_run.completed + 1;
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt)
    values (v_run_id, v_seq, v_at, 'step.committed', v_item_id, v_node, v_attempt);
    if o ? 'output' then
      -- First terminal output wins; the run is finished, so nothing else of this step matters.
      v_run.output := coalesce(o->'output'->'value', 'null'::jsonb);
      v_run.status := 'completed';
      v_run.finished_at := v_at;
      v_seq := v_seq + 1;
      insert into "{{schema}}".events (run_id, seq, at, type, status, error)
      values (v_run_id, v_seq, v_at, 'run.status', 'completed', v_run.error);
      update "{{schema}}".work_items w set queue_state = 'done', lease_token = null, worker_id = null
      where (w.run_id, w.item_id) in (select run_id, item_id from "{{schema}}".work_items
        where run_id = v_run_id and queue_state <> 'done' for update skip locked);
    else
      insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
      select t.e->>'runId', t.e->>'itemId', (t.e->>'attempt')::integer, t.e->>'node', t.e, 'pending', 'ready', v_now
      from jsonb_array_elements(coalesce(o->'successors', '[]'::jsonb)) as t(e)
      on conflict (run_id, item_id) do nothing;
      get diagnostics v_n = row_count;
      v_added := v_added + v_n;
      for x in select value from jsonb_array_elements(coalesce(o->'joins', '[]'::jsonb)) loop
        v_join_id := x->'joinItem'->>'itemId';
        insert into "{{schema}}".join_arrivals (run_id, join_item_id, idx, total, value)
        values (v_run_id, v_join_id, (x->>'index')::integer, (x->>'total')::integer, coalesce(x->'value', 'null'::jsonb))
        on conflict do nothing;
        select count(*), jsonb_agg(value order by idx) into v_n, v_join_input
        from "{{schema}}".join_arrivals where run_id = v_run_id and join_item_id = v_join_id;
        if v_n >= (x->>'total')::integer then
          insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
          values (v_run_id, v_join_id, (x->'joinItem'->>'attempt')::integer, x->'joinItem'->>'node',
            (x->'joinItem') || jsonb_build_object('input', v_join_input), 'pending', 'ready', v_now)
          on conflict (run_id, item_id) do nothing;
          get diagnostics v_n = row_count;
          v_added := v_added + v_n;
          -- The values live in the join item now; keeping them would double the storage of large fan-outs.
          delete from "{{schema}}".join_arrivals where run_id = v_run_id and join_item_id = v_join_id;
        end if;
      end loop;
    end if;
    if v_added > 0 then v_wake := v_now; end if;
  elsif v_kind = 'retry' then
    x := o->'retryItem';
    v_wake := v_now + greatest(coalesce((o->>'delayMs')::bigint, 0), 0);
    update "{{schema}}".work_items set attempt = (x->>'attempt')::integer, item = x,
      status = case when v_wake > v_now then 'waiting-retry' else 'pending' end, queue_state = 'ready',
      visible_at = v_wake, lease_token = null, worker_id = null, attempts = greatest(attempts, v_attempt),
      last_error = o->'error'
    where run_id = v_run_id and item_id = v_item_id;
    v_run.retries := v_run.retries + 1;
    insert into "{{schema}}".errors (run_id, item_id, node, attempt, error, at)
    values (v_run_id, v_item_id, v_node, v_attempt, o->'error', v_at);
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt, error)
    values (v_run_id, v_seq, v_at, 'step.retrying', v_item_id, v_node, v_attempt, o->'error');
  else
    v_run.failed := v_run.failed + 1;
    insert into "{{schema}}".errors (run_id, item_id, node, attempt, error, at)
    values (v_run_id, v_item_id, v_node, v_attempt, o->'error', v_at);
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt, error)
    values (v_run_id, v_seq, v_at, 'step.failed', v_item_id, v_node, v_attempt, o->'error');
    if jsonb_array_length(coalesce(o->'fallback', '[]'::jsonb)) > 0 then
      update "{{schema}}".work_items set status = 'failed', queue_state = 'done', lease_token = null, worker_id = null,
        attempts = greatest(attempts, v_attempt), last_error = o->'error'
      where run_id = v_run_id and item_id = v_item_id;
      insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
      select t.e->>'runId', t.e->>'itemId', (t.e->>'attempt')::integer, t.e->>'node', t.e, 'pending', 'ready', v_now
      from jsonb_array_elements(o->'fallback') as t(e)
      on conflict (run_id, item_id) do nothing;
      get diagnostics v_n = row_count;
      v_added := v_added + v_n;
      if v_added > 0 then v_wake := v_now; end if;
    else
      update "{{schema}}".work_items set status = 'dead', queue_state = 'done', lease_token = null, worker_id = null,
        attempts = greatest(attempts, v_attempt), last_error = o->'error'
      where run_id = v_run_id and item_id = v_item_id;
      -- Other queued items of a failed run stay queued (invisible) for a later retryFailed.
      v_run.status := 'failed';
      v_run.error := o->'error';
      v_run.finished_at := v_at;
      v_seq := v_seq + 1;
      insert into "{{schema}}".events (run_id, seq, at, type, status, error)
      values (v_run_id, v_seq, v_at, 'run.status', 'failed', v_run.error);
    end if;
  end if;

  if v_kind <> 'retry' then
    insert into "{{schema}}".node_timings as t (run_id, node, count, total_ms, max_ms)
    values (v_run_id, v_node, 1, v_duration, v_duration)
    on conflict (run_id, node) do update set count = t.count + 1, total_ms = t.total_ms + excluded.total_ms,
      max_ms = greatest(t.max_ms, excluded.max_ms);
  end if;

  if v_run.status in ('queued', 'running', 'paused') and not exists (
      select 1 from "{{schema}}".work_items where run_id = v_run_id and queue_state <> 'done') then
    v_run.status := 'failed';
    v_run.error := '{"name":"NoTerminalOutputError","code":"NO_TERMINAL_OUTPUT","message":"The run consumed its last work item without reaching a terminal node"}'::jsonb;
    v_run.finished_at := v_at;
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, status, error)
    values (v_run_id, v_seq, v_at, 'run.status', 'failed', v_run.error);
  end if;

  update "{{schema}}".runs set status = v_run.status, output = v_run.output, error = v_run.error,
    finished_at = v_run.finished_at, context = v_run.context, context_version = v_run.context_version,
    total_items = total_items + v_added, completed = v_run.completed, failed = v_run.failed,
    retries = v_run.retries, event_seq = v_seq
  where run_id = v_run_id;
  -- NOTIFY serialises committing transactions (a database-wide lock held through the WAL flush), so it is
  -- sent only while a lease call may be waiting; the shared lock pairs with register_waiter's exclusive one.
  if v_wake is not null and v_run.status = 'running' then
    perform pg_advisory_xact_lock_shared(hashtext('floxide_waiters:{{schema}}'), 1);
    if exists (select 1 from "{{schema}}".waiters where idle_until >= v_now) then
      perform pg_notify('floxide_{{schema}}', v_wake::text);
    end if;
  end if;
  return jsonb_build_object('status', 'committed', 'runStatus', v_run.status);
end $$;
`,
    down: `drop table if exists "{{schema}}".runs cascade;
drop table if exists "{{schema}}".work_items cascade;
drop table if exists "{{schema}}".join_arrivals cascade;
drop table if exists "{{schema}}".errors cascade;
drop table if exists "{{schema}}".events cascade;
drop table if exists "{{schema}}".node_timings cascade;
drop table if exists "{{schema}}".workers cascade;
drop table if exists "{{schema}}".waiters cascade;`,
  },
  /**
   * Migration 0002_records_parking_deadlines.
   * Corrupt records fail their run, parked backlogs leave the claim index, deadlines fire by database
   * time, retention locks items before runs.
   *
   * `{{schema}}` stands for the schema name (see migration-provider.ts).
   * Defines: run_corruption, item_corruption, join_corruption, fail_corrupt_run, expire_runs, start_run,
   *   control_run, fail_run, delete_old_runs, claim_items, release_lease, enqueue_items, purge_run,
   *   next_wake, commit_step.
   *
   * SQL of migration `0002_records_parking_deadlines`, part 1: the table changes and the shared checks.
   *
   * @remarks
   * - `runs.has_context` remembers whether the run was started with a context object, so a context that
   *   later reads `null` is known to be corrupt (a workflow without a context stores JSON `null`).
   * - `queue_state = 'parked'`: queued items of a paused or failed run. They stay in the open-items index
   *   (they are still the run's backlog) but leave the claim index, so claims never walk over them.
   * - `runs_deadline_idx` lets every claim find runs past their deadline with one index probe.
   * - `run_corruption` / `item_corruption` say why a stored row cannot be trusted (null when it can);
   *   every function that decides from a row checks it before its first write.
   * - `fail_corrupt_run` / `expire_runs` fail a run for a corrupt record or a passed deadline.
   *
   * SQL of migration `0002_records_parking_deadlines`, part 3: the run functions, now with parked items,
   * corrupt-record checks, database-clock finish times and one lock order in retention.
   *
   * @remarks
   * - `start_run` records whether the run has a context (`has_context`), so a `null` context is known corrupt.
   * - `control_run` checks the run row before acting: pause, resume and retryFailed of a run whose row is
   *   corrupt fail it with `CORRUPT_RECORD` instead (the answer carries `corrupt`). Pause parks the queued
   *   items, resume and retryFailed put them back; cancel drops them. Rows locked at that instant are skipped
   *   (lock order: items before runs); whoever holds such a row re-reads the run and parks or drops it.
   * - `delete_old_runs` takes the item rows before the run rows, the order every commit uses, and compares
   *   `finished_at` with the database clock.
   *
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
   *
   * SQL of `commit_step(p jsonb)` as migration `0002_records_parking_deadlines` replaces it: one step
   * recorded in one transaction and one round trip.
   *
   * @remarks
   * `p` is `{ item, token, at, outcome, context? }` (the lease's item, the step outcome as the engine built it,
   * the context update if any). The function follows `Backend.commit` exactly as the memory backend does:
   * 1. lock the item row, answer `duplicate` when this `(itemId, attempt)` was already committed — before
   *    touching the run row, so a duplicate never waits on (or deadlocks with) the run;
   * 2. lock the run row: `rejected` for a missing, cancelled or finished run; `conflict` for a stale context;
   *    `corrupt` when the run row or the state of a join this step reaches cannot be trusted — then the run
   *    is failed with `CORRUPT_RECORD` and nothing of the step is applied (every check precedes every write);
   * 3. apply the outcome (item state, successors, join arrivals, retry item, fallbacks, output, failure,
   *    metrics, timings, error records, events) and fail a drained run with `NO_TERMINAL_OUTPUT`;
   * 4. write the run row once and notify idle workers when something became claimable and a lease call may
   *    be waiting (a registered waiter, see `register_waiter`).
   * Items other than the committed one are touched only by inserts of new rows or with `SKIP LOCKED`.
   * New items of a paused run are inserted parked (outside the claim index); the queued items of a run that
   * fails are parked. `finished_at` is stamped with the database clock (retention compares with it).
   */
  '0002_records_parking_deadlines': {
    up: `
alter table "{{schema}}".runs add column has_context boolean;
drop index if exists "{{schema}}".work_items_claim_idx;
create index work_items_ready_idx on "{{schema}}".work_items (visible_at) where queue_state in ('ready', 'leased');
create index runs_deadline_idx on "{{schema}}".runs (deadline_at)
  where deadline_at is not null and status in ('queued', 'running', 'paused');
-- Backlogs of runs paused or failed before this migration leave the claim path too.
update "{{schema}}".work_items w set queue_state = 'parked'
where w.queue_state = 'ready' and exists (
  select 1 from "{{schema}}".runs r where r.run_id = w.run_id and r.status in ('paused', 'failed'));

create or replace function "{{schema}}".run_corruption(r "{{schema}}".runs) returns text language sql immutable as $$
  select case
    when r.status is null or r.status not in ('queued', 'running', 'paused', 'completed', 'failed', 'cancelled')
      then 'the run row has an unknown status'
    when r.workflow is null or r.workflow = '' then 'the run row has no workflow name'
    when r.context is null then 'the run context is missing'
    when jsonb_typeof(r.context) not in ('object', 'null')
      then 'the run context is a JSON ' || jsonb_typeof(r.context) || ', not an object'
    when r.has_context and jsonb_typeof(r.context) <> 'object' then 'the run context is null, not an object'
    when r.error is not null and jsonb_typeof(r.error) not in ('object', 'null')
      then 'the run error is not an object'
    else null
  end
$$;

create or replace function "{{schema}}".item_corruption(w "{{schema}}".work_items) returns text language sql immutable as $$
  select case
    when jsonb_typeof(w.item) is distinct from 'object' then 'work item ' || w.item_id || ' is not a JSON object'
    when w.item->>'runId' is distinct from w.run_id or w.item->>'itemId' is distinct from w.item_id
      then 'work item ' || w.item_id || ' names another run or item'
    when jsonb_typeof(w.item->'workflow') is distinct from 'string'
      or jsonb_typeof(w.item->'node') is distinct from 'string'
      or jsonb_typeof(w.item->'version') is distinct from 'number'
      or jsonb_typeof(w.item->'attempt') is distinct from 'number'
      or jsonb_typeof(w.item->'branches') is distinct from 'array'
      then 'work item ' || w.item_id || ' lacks its workflow, version, node, attempt or branches'
    else null
  end
$$;

-- Why the stored arrivals of a join cannot be trusted, given the total the committing branch expects.
create or replace function "{{schema}}".join_corruption(p_run text, p_join text, p_total integer) returns text
language sql stable as $$
  select 'the join state of ' || p_join || ' is inconsistent' from "{{schema}}".join_arrivals a
  where a.run_id = p_run and a.join_item_id = p_join
    and (a.total <> p_total or a.idx < 0 or a.idx >= a.total or a.value is null)
  limit 1
$$;

-- Fails a run whose stored record is corrupt (CORRUPT_RECORD). The caller holds the run row lock; queued
-- items are parked (SKIP LOCKED: whoever holds one re-reads the run and parks it) for a later retryFailed.
create or replace function "{{schema}}".fail_corrupt_run(p_run text, p_why text, p_item text, p_node text,
    p_attempt integer) returns jsonb language plpgsql as $$
declare
  v_now bigint := "{{schema}}".now_ms();
  v_error jsonb := jsonb_build_object('name', 'CorruptRecordError', 'code', 'CORRUPT_RECORD',
    'message', 'Run ' || p_run || ' failed: ' || p_why);
begin
  update "{{schema}}".runs set status = 'failed', error = v_error, finished_at = v_now where run_id = p_run;
  update "{{schema}}".work_items w set queue_state = 'parked', lease_token = null, worker_id = null
  where (w.run_id, w.item_id) in (select run_id, item_id from "{{schema}}".work_items
    where run_id = p_run and queue_state = 'ready' for update skip locked);
  insert into "{{schema}}".errors (run_id, item_id, node, attempt, error, at)
  values (p_run, coalesce(p_item, ''), coalesce(p_node, ''), coalesce(p_attempt, 0), v_error, v_now);
  perform "{{schema}}".add_event(p_run, v_now, 'run.status', 'failed', null, null, null, v_error);
  return v_error;
end $$;

-- Fails up to p_max unfinished runs past their deadline (database clock) with DEADLINE_EXCEEDED. Never
-- waits: runs and items locked by others are skipped (their holders, or the next call, see them).
create or replace function "{{schema}}".expire_runs(p_max integer) returns integer language plpgsql as $$
declare
  v_now bigint := "{{schema}}".now_ms();
  v_ids text[];
  v_id text;
  v_error jsonb;
begin
  select array_agg(run_id) into v_ids from (
    select run_id from "{{schema}}".runs
    where deadline_at is not null and deadline_at <= v_now and status in ('queued', 'running', 'paused')
    order by deadline_at limit p_max for update skip locked) x;
  if v_ids is null then return 0; end if;
  foreach v_id in array v_ids loop
    v_error := jsonb_build_object('name', 'DeadlineExceededError', 'code', 'DEADLINE_EXCEEDED',
      'message', 'Run ' || v_id || ' passed its deadline');
    update "{{schema}}".runs set status = 'failed', error = v_error, finished_at = v_now where run_id = v_id;
    update "{{schema}}".work_items w set queue_state = 'parked', lease_token = null, worker_id = null
    where (w.run_id, w.item_id) in (select run_id, item_id from "{{schema}}".work_items
      where run_id = v_id and queue_state = 'ready' for update skip locked);
    insert into "{{schema}}".errors (run_id, item_id, node, attempt, error, at) values (v_id, '', '', 0, v_error, v_now);
    perform "{{schema}}".add_event(v_id, v_now, 'run.status', 'failed', null, null, null, v_error);
  end loop;
  return cardinality(v_ids);
end $$;

create or replace function "{{schema}}".start_run(p jsonb) returns jsonb language plpgsql as $$
declare
  v_run "{{schema}}".runs%rowtype;
  v_item jsonb := p->'startItem';
  v_now bigint := "{{schema}}".now_ms();
begin
  insert into "{{schema}}".runs (run_id, workflow, version, status, input, created_at, deadline_at, context, total_items,
    has_context)
  values (p->>'runId', p->>'workflow', (p->>'version')::integer, 'queued', p->'input', (p->>'createdAt')::bigint,
    (p->>'deadlineAt')::bigint, coalesce(p->'context', 'null'::jsonb), 1, jsonb_typeof(p->'context') = 'object')
  on conflict (run_id) do nothing
  returning * into v_run;
  if not found then
    select * into v_run from "{{schema}}".runs where run_id = p->>'runId';
    return jsonb_build_object('created', false, 'run', "{{schema}}".run_json(v_run));
  end if;
  insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
  values (v_item->>'runId', v_item->>'itemId', (v_item->>'attempt')::integer, v_item->>'node', v_item, 'pending',
    'ready', v_now)
  on conflict (run_id, item_id) do nothing;
  perform "{{schema}}".add_event(v_run.run_id, (p->>'createdAt')::bigint, 'run.status', 'queued', null, null, null, null);
  perform pg_notify('floxide_{{schema}}', v_now::text);
  return jsonb_build_object('created', true, 'run', "{{schema}}".run_json(v_run));
end $$;

create or replace function "{{schema}}".control_run(p_run text, p_action text, p_at bigint) returns jsonb
language plpgsql as $$
declare
  v_run "{{schema}}".runs%rowtype;
  v_new text;
  v_why text;
  v_error jsonb;
  v_now bigint := "{{schema}}".now_ms();
begin
  select * into v_run from "{{schema}}".runs where run_id = p_run for update;
  if not found then return jsonb_build_object('error', 'RUN_NOT_FOUND'); end if;
  v_why := "{{schema}}".run_corruption(v_run);
  if v_why is not null and p_action <> 'cancel'
      and v_run.status not in ('completed', 'cancelled') then
    v_error := "{{schema}}".fail_corrupt_run(p_run, v_why, null, null, null);
    select * into v_run from "{{schema}}".runs where run_id = p_run;
    return jsonb_build_object('run', "{{schema}}".run_json(v_run), 'corrupt', v_error);
  end if;
  if p_action = 'pause' and v_run.status in ('queued', 'running') then v_new := 'paused';
  elsif p_action = 'resume' and v_run.status = 'paused' then v_new := 'running';
  elsif p_action = 'cancel' and v_run.status not in ('completed', 'failed', 'cancelled') then v_new := 'cancelled';
  elsif p_action = 'retryFailed' and v_run.status = 'failed' then v_new := 'running';
  else return jsonb_build_object('error', 'RUN_STATE', 'status', v_run.status);
  end if;
  if p_action = 'retryFailed' and not exists (select 1 from "{{schema}}".work_items where run_id = p_run
      and (status = 'dead' or queue_state <> 'done')) then
    return jsonb_build_object('error', 'RUN_STATE', 'status', v_run.status, 'reason', 'no failed items');
  end if;

  if v_new = 'cancelled' then
    -- Rows locked right now are skipped: their claim, release or commit re-reads the run and drops them.
    update "{{schema}}".work_items w set queue_state = 'done', lease_token = null, worker_id = null
    where (w.run_id, w.item_id) in (select run_id, item_id from "{{schema}}".work_items
      where run_id = p_run and queue_state <> 'done' for update skip locked);
    update "{{schema}}".runs set status = v_new, finished_at = v_now, error = jsonb_build_object('name', 'CancelledError',
      'code', 'CANCELLED', 'message', 'Run ' || p_run || ' was cancelled') where run_id = p_run;
  elsif v_new = 'paused' then
    -- The backlog leaves the claim index; a claim or release holding one of these rows parks it itself.
    update "{{schema}}".work_items w set queue_state = 'parked'
    where (w.run_id, w.item_id) in (select run_id, item_id from "{{schema}}".work_items
      where run_id = p_run and queue_state = 'ready' for update skip locked);
    update "{{schema}}".runs set status = v_new where run_id = p_run;
  elsif p_action = 'retryFailed' then
    update "{{schema}}".work_items set attempt = attempt + 1,
      item = case when jsonb_typeof(item) = 'object' then jsonb_set(item, '{attempt}', to_jsonb(attempt + 1))
        else item end,
      status = 'pending', queue_state = 'ready', visible_at = v_now, lease_token = null, worker_id = null
    where run_id = p_run and status = 'dead';
    update "{{schema}}".work_items set queue_state = 'ready' where run_id = p_run and queue_state = 'parked';
    update "{{schema}}".runs set status = v_new, error = null, finished_at = null where run_id = p_run;
  else
    -- Resume: parked items keep their visible_at, so a delayed retry still waits out its delay.
    update "{{schema}}".work_items set queue_state = 'ready' where run_id = p_run and queue_state = 'parked';
    update "{{schema}}".runs set status = v_new where run_id = p_run;
  end if;
  perform "{{schema}}".add_event(p_run, p_at, 'run.status', v_new, null, null, null,
    (select error from "{{schema}}".runs where run_id = p_run));
  if v_new = 'running' then perform pg_notify('floxide_{{schema}}', v_now::text); end if;
  select * into v_run from "{{schema}}".runs where run_id = p_run;
  return jsonb_build_object('run', "{{schema}}".run_json(v_run));
end $$;

create or replace function "{{schema}}".fail_run(p_run text, p_error jsonb, p_at bigint) returns void language plpgsql as $$
declare
  v_status text;
  v_now bigint := "{{schema}}".now_ms();
begin
  select status into v_status from "{{schema}}".runs where run_id = p_run for update;
  if v_status is null or v_status in ('completed', 'failed', 'cancelled') then return; end if;
  update "{{schema}}".runs set status = 'failed', error = p_error, finished_at = v_now where run_id = p_run;
  update "{{schema}}".work_items w set queue_state = 'parked'
  where (w.run_id, w.item_id) in (select run_id, item_id from "{{schema}}".work_items
    where run_id = p_run and queue_state = 'ready' for update skip locked);
  insert into "{{schema}}".errors (run_id, item_id, node, attempt, error, at) values (p_run, '', '', 0, p_error, p_at);
  perform "{{schema}}".add_event(p_run, p_at, 'run.status', 'failed', null, null, null, p_error);
end $$;

-- Deletes up to p_limit runs that finished more than p_age_ms ago (database clock), with everything they
-- own. Item rows are locked before run rows, the order commits and claims use, so retention never holds a
-- run row while it waits for an item (which deadlocked with a commit holding the item).
create or replace function "{{schema}}".delete_old_runs(p_age_ms bigint, p_limit integer) returns integer
language plpgsql as $$
declare
  v_before bigint := "{{schema}}".now_ms() - greatest(p_age_ms, 0);
  v_candidates text[];
  v_ids text[];
begin
  select array_agg(run_id) into v_candidates from (
    select run_id from "{{schema}}".runs
    where status in ('completed', 'failed', 'cancelled') and finished_at < v_before
    order by finished_at limit p_limit) x;
  if v_candidates is null then return 0; end if;
  perform 1 from "{{schema}}".work_items where run_id = any(v_candidates) order by run_id, item_id for update;
  -- Re-checked under the lock: a run revived (retryFailed) meanwhile is kept.
  select array_agg(run_id) into v_ids from (
    select run_id from "{{schema}}".runs where run_id = any(v_candidates)
      and status in ('completed', 'failed', 'cancelled') and finished_at < v_before
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

create or replace function "{{schema}}".claim_items(p_worker text, p_lease_ms bigint, p_max integer)
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
    select w.run_id, w.item_id from "{{schema}}".work_items w
    where w.queue_state in ('ready', 'leased') and w.visible_at <= v_now
    order by w.visible_at
    limit p_max
    for update skip locked) x;
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

-- Hands a leased item back. The item row is locked first, then the run row (shared) is read, so a pause or
-- cancel that skipped this locked item is seen here: the item is parked or dropped, never left ready.
create or replace function "{{schema}}".release_lease(p_run text, p_item text, p_token text, p_delay_ms bigint)
returns void language plpgsql as $$
declare
  v_visible bigint := "{{schema}}".now_ms() + greatest(p_delay_ms, 0);
  v_status text;
begin
  perform 1 from "{{schema}}".work_items where run_id = p_run and item_id = p_item and lease_token = p_token
    and queue_state = 'leased' for update;
  if not found then return; end if;
  select status into v_status from "{{schema}}".runs where run_id = p_run for share;
  update "{{schema}}".work_items set
    queue_state = case when v_status is null or v_status in ('completed', 'cancelled') then 'done'
      when v_status in ('paused', 'failed') then 'parked' else 'ready' end,
    visible_at = v_visible, lease_token = null, worker_id = null,
    status = case when status = 'running' then 'pending' else status end
  where run_id = p_run and item_id = p_item;
  if v_status in ('queued', 'running') then perform pg_notify('floxide_{{schema}}', v_visible::text); end if;
end $$;

-- Enqueues items of existing, unfinished runs; an item already present with the same or a later attempt
-- is left alone. The item row is written first, then the run row is read under a shared lock, so a
-- concurrent pause or cancel is respected (parked / dropped). Returns how many were added.
create or replace function "{{schema}}".enqueue_items(p_items jsonb, p_delay_ms bigint) returns integer
language plpgsql as $$
declare
  x jsonb;
  v_status text;
  v_inserted boolean;
  v_count integer := 0;
  v_visible bigint := "{{schema}}".now_ms() + greatest(p_delay_ms, 0);
  v_item_status text := case when p_delay_ms > 0 then 'waiting-retry' else 'pending' end;
begin
  for x in select value from jsonb_array_elements(p_items) loop
    select status into v_status from "{{schema}}".runs where run_id = x->>'runId';
    continue when v_status is null or v_status in ('completed', 'cancelled');
    insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
    values (x->>'runId', x->>'itemId', (x->>'attempt')::integer, x->>'node', x, v_item_status, 'ready', v_visible)
    on conflict (run_id, item_id) do update set attempt = excluded.attempt, item = excluded.item,
      status = excluded.status, queue_state = 'ready', visible_at = excluded.visible_at, lease_token = null,
      worker_id = null
    where "{{schema}}".work_items.attempt < excluded.attempt
    returning (xmax = 0) into v_inserted;
    if not found then continue; end if;
    select status into v_status from "{{schema}}".runs where run_id = x->>'runId' for share;
    if v_status is null or v_status not in ('queued', 'running') then
      update "{{schema}}".work_items set queue_state = case when v_status in ('paused', 'failed') then 'parked' else 'done' end
      where run_id = x->>'runId' and item_id = x->>'itemId';
    end if;
    continue when v_status is null or v_status in ('completed', 'cancelled');
    v_count := v_count + 1;
    if v_inserted then
      update "{{schema}}".runs set total_items = total_items + 1 where run_id = x->>'runId';
    end if;
  end loop;
  if v_count > 0 then perform pg_notify('floxide_{{schema}}', v_visible::text); end if;
  return v_count;
end $$;

create or replace function "{{schema}}".purge_run(p_run text) returns integer language plpgsql as $$
declare v_count integer;
begin
  update "{{schema}}".work_items set queue_state = 'done' where run_id = p_run and queue_state in ('ready', 'parked');
  get diagnostics v_count = row_count;
  return v_count;
end $$;

-- The database-clock delays a waiting lease call needs: until the next item of the claim index becomes
-- visible, and until the next deadline of an unfinished run. Null when there is none.
create or replace function "{{schema}}".next_wake() returns table (item_in bigint, deadline_in bigint)
language sql stable as $$
  select (select w.visible_at from "{{schema}}".work_items w where w.queue_state in ('ready', 'leased')
      order by w.visible_at limit 1) - "{{schema}}".now_ms(),
    (select r.deadline_at from "{{schema}}".runs r where r.deadline_at is not null
      and r.status in ('queued', 'running', 'paused') order by r.deadline_at limit 1) - "{{schema}}".now_ms()
$$;

create or replace function "{{schema}}".commit_step(p jsonb) returns jsonb language plpgsql as $$
declare
  v_lease jsonb := p->'item';
  v_run_id text := v_lease->>'runId';
  v_item_id text := v_lease->>'itemId';
  v_node text := v_lease->>'node';
  v_attempt integer := (v_lease->>'attempt')::integer;
  v_at bigint := (p->>'at')::bigint;
  o jsonb := p->'outcome';
  v_kind text := o->>'kind';
  v_duration double precision := coalesce((o->>'durationMs')::double precision, 0);
  v_now bigint := "{{schema}}".now_ms();
  v_run "{{schema}}".runs%rowtype;
  v_item "{{schema}}".work_items%rowtype;
  v_has_item boolean;
  v_seq bigint;
  v_added integer := 0;
  v_n integer;
  v_wake bigint;
  v_join_id text;
  v_join_input jsonb;
  v_why text;
  v_error jsonb;
  v_queue text;
  x jsonb;
begin
  select * into v_item from "{{schema}}".work_items where run_id = v_run_id and item_id = v_item_id for update;
  v_has_item := found;
  if v_has_item and (v_item.attempt > v_attempt
      or (v_item.attempt = v_attempt and v_item.status in ('completed', 'failed', 'dead'))) then
    return jsonb_build_object('status', 'duplicate');
  end if;
  select * into v_run from "{{schema}}".runs where run_id = v_run_id for update;
  if not found then return jsonb_build_object('status', 'rejected', 'runStatus', 'cancelled'); end if;
  if v_run.status in ('completed', 'failed', 'cancelled') then
    return jsonb_build_object('status', 'rejected', 'runStatus', v_run.status);
  end if;
  v_why := "{{schema}}".run_corruption(v_run);
  if v_why is null then
    select "{{schema}}".join_corruption(v_run_id, j->'joinItem'->>'itemId', (j->>'total')::integer) into v_why
    from jsonb_array_elements(coalesce(o->'joins', '[]'::jsonb)) as t(j)
    where "{{schema}}".join_corruption(v_run_id, j->'joinItem'->>'itemId', (j->>'total')::integer) is not null
    limit 1;
  end if;
  if v_why is not null then
    -- Nothing of the step is applied: the run fails, and the item waits (parked) for a retryFailed.
    v_error := "{{schema}}".fail_corrupt_run(v_run_id, v_why, v_item_id, v_node, v_attempt);
    update "{{schema}}".work_items set queue_state = 'parked', status = 'pending', lease_token = null, worker_id = null
    where run_id = v_run_id and item_id = v_item_id and queue_state <> 'done';
    return jsonb_build_object('status', 'corrupt', 'error', v_error);
  end if;
  -- Successors of a paused run wait outside the claim index until it is resumed.
  v_queue := case when v_run.status = 'paused' then 'parked' else 'ready' end;
  if jsonb_typeof(p->'context') = 'object' then
    if v_run.context_version <> (p->'context'->>'expectedVersion')::integer then
      return jsonb_build_object('status', 'conflict');
    end if;
    v_run.context := coalesce(p->'context'->'state', 'null'::jsonb);
    v_run.context_version := v_run.context_version + 1;
  end if;
  if not v_has_item then
    -- Committed under a lease this queue never handed out (a tool replaying a step): keep its state anyway.
    insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
    values (v_run_id, v_item_id, v_attempt, v_node, v_lease, 'running', 'done', v_now);
  end if;
  v_seq := v_run.event_seq;

  if v_kind = 'advance' then
    update "{{schema}}".work_items set status = 'completed', queue_state = 'done', lease_token = null, worker_id = null,
      attempts = greatest(attempts, v_attempt)
    where run_id = v_run_id and item_id = v_item_id;
    v_run.completed := v_run.completed + 1;
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt)
    values (v_run_id, v_seq, v_at, 'step.committed', v_item_id, v_node, v_attempt);
    if o ? 'output' then
      -- First terminal output wins; the run is finished, so nothing else of this step matters.
      v_run.output := coalesce(o->'output'->'value', 'null'::jsonb);
      v_run.status := 'completed';
      v_run.finished_at := v_now;
      v_seq := v_seq + 1;
      insert into "{{schema}}".events (run_id, seq, at, type, status, error)
      values (v_run_id, v_seq, v_at, 'run.status', 'completed', v_run.error);
      update "{{schema}}".work_items w set queue_state = 'done', lease_token = null, worker_id = null
      where (w.run_id, w.item_id) in (select run_id, item_id from "{{schema}}".work_items
        where run_id = v_run_id and queue_state <> 'done' for update skip locked);
    else
      insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
      select t.e->>'runId', t.e->>'itemId', (t.e->>'attempt')::integer, t.e->>'node', t.e, 'pending', v_queue, v_now
      from jsonb_array_elements(coalesce(o->'successors', '[]'::jsonb)) as t(e)
      on conflict (run_id, item_id) do nothing;
      get diagnostics v_n = row_count;
      v_added := v_added + v_n;
      for x in select value from jsonb_array_elements(coalesce(o->'joins', '[]'::jsonb)) loop
        v_join_id := x->'joinItem'->>'itemId';
        insert into "{{schema}}".join_arrivals (run_id, join_item_id, idx, total, value)
        values (v_run_id, v_join_id, (x->>'index')::integer, (x->>'total')::integer, coalesce(x->'value', 'null'::jsonb))
        on conflict do nothing;
        select count(*), jsonb_agg(value order by idx) into v_n, v_join_input
        from "{{schema}}".join_arrivals where run_id = v_run_id and join_item_id = v_join_id;
        if v_n >= (x->>'total')::integer then
          insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
          values (v_run_id, v_join_id, (x->'joinItem'->>'attempt')::integer, x->'joinItem'->>'node',
            (x->'joinItem') || jsonb_build_object('input', v_join_input), 'pending', v_queue, v_now)
          on conflict (run_id, item_id) do nothing;
          get diagnostics v_n = row_count;
          v_added := v_added + v_n;
          -- The values live in the join item now; keeping them would double the storage of large fan-outs.
          delete from "{{schema}}".join_arrivals where run_id = v_run_id and join_item_id = v_join_id;
        end if;
      end loop;
    end if;
    if v_added > 0 then v_wake := v_now; end if;
  elsif v_kind = 'retry' then
    x := o->'retryItem';
    v_wake := v_now + greatest(coalesce((o->>'delayMs')::bigint, 0), 0);
    update "{{schema}}".work_items set attempt = (x->>'attempt')::integer, item = x,
      status = case when v_wake > v_now then 'waiting-retry' else 'pending' end, queue_state = v_queue,
      visible_at = v_wake, lease_token = null, worker_id = null, attempts = greatest(attempts, v_attempt),
      last_error = o->'error'
    where run_id = v_run_id and item_id = v_item_id;
    v_run.retries := v_run.retries + 1;
    insert into "{{schema}}".errors (run_id, item_id, node, attempt, error, at)
    values (v_run_id, v_item_id, v_node, v_attempt, o->'error', v_at);
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt, error)
    values (v_run_id, v_seq, v_at, 'step.retrying', v_item_id, v_node, v_attempt, o->'error');
  else
    v_run.failed := v_run.failed + 1;
    insert into "{{schema}}".errors (run_id, item_id, node, attempt, error, at)
    values (v_run_id, v_item_id, v_node, v_attempt, o->'error', v_at);
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt, error)
    values (v_run_id, v_seq, v_at, 'step.failed', v_item_id, v_node, v_attempt, o->'error');
    if jsonb_array_length(coalesce(o->'fallback', '[]'::jsonb)) > 0 then
      update "{{schema}}".work_items set status = 'failed', queue_state = 'done', lease_token = null, worker_id = null,
        attempts = greatest(attempts, v_attempt), last_error = o->'error'
      where run_id = v_run_id and item_id = v_item_id;
      insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
      select t.e->>'runId', t.e->>'itemId', (t.e->>'attempt')::integer, t.e->>'node', t.e, 'pending', v_queue, v_now
      from jsonb_array_elements(o->'fallback') as t(e)
      on conflict (run_id, item_id) do nothing;
      get diagnostics v_n = row_count;
      v_added := v_added + v_n;
      if v_added > 0 then v_wake := v_now; end if;
    else
      update "{{schema}}".work_items set status = 'dead', queue_state = 'done', lease_token = null, worker_id = null,
        attempts = greatest(attempts, v_attempt), last_error = o->'error'
      where run_id = v_run_id and item_id = v_item_id;
      -- Other queued items of a failed run wait, parked, for a later retryFailed (SKIP LOCKED: a claim or
      -- release holding one re-reads the run and parks it itself).
      update "{{schema}}".work_items w set queue_state = 'parked'
      where (w.run_id, w.item_id) in (select run_id, item_id from "{{schema}}".work_items
        where run_id = v_run_id and queue_state = 'ready' for update skip locked);
      v_run.status := 'failed';
      v_run.error := o->'error';
      v_run.finished_at := v_now;
      v_seq := v_seq + 1;
      insert into "{{schema}}".events (run_id, seq, at, type, status, error)
      values (v_run_id, v_seq, v_at, 'run.status', 'failed', v_run.error);
    end if;
  end if;

  if v_kind <> 'retry' then
    insert into "{{schema}}".node_timings as t (run_id, node, count, total_ms, max_ms)
    values (v_run_id, v_node, 1, v_duration, v_duration)
    on conflict (run_id, node) do update set count = t.count + 1, total_ms = t.total_ms + excluded.total_ms,
      max_ms = greatest(t.max_ms, excluded.max_ms);
  end if;

  if v_run.status in ('queued', 'running', 'paused') and not exists (
      select 1 from "{{schema}}".work_items where run_id = v_run_id and queue_state <> 'done') then
    v_run.status := 'failed';
    v_run.error := '{"name":"NoTerminalOutputError","code":"NO_TERMINAL_OUTPUT","message":"The run consumed its last work item without reaching a terminal node"}'::jsonb;
    v_run.finished_at := v_now;
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, status, error)
    values (v_run_id, v_seq, v_at, 'run.status', 'failed', v_run.error);
  end if;

  update "{{schema}}".runs set status = v_run.status, output = v_run.output, error = v_run.error,
    finished_at = v_run.finished_at, context = v_run.context, context_version = v_run.context_version,
    total_items = total_items + v_added, completed = v_run.completed, failed = v_run.failed,
    retries = v_run.retries, event_seq = v_seq
  where run_id = v_run_id;
  -- NOTIFY serialises committing transactions (a database-wide lock held through the WAL flush), so it is
  -- sent only while a lease call may be waiting; the shared lock pairs with register_waiter's exclusive one.
  if v_wake is not null and v_run.status = 'running' then
    perform pg_advisory_xact_lock_shared(hashtext('floxide_waiters:{{schema}}'), 1);
    if exists (select 1 from "{{schema}}".waiters where idle_until >= v_now) then
      perform pg_notify('floxide_{{schema}}', v_wake::text);
    end if;
  end if;
  return jsonb_build_object('status', 'committed', 'runStatus', v_run.status);
end $$;
drop function if exists "{{schema}}".delete_finished_runs(bigint, integer);`,
  },
  /**
   * Migration 0003_change_feed.
   * The change feed: a global event position and a NOTIFY per committed event.
   *
   * `{{schema}}` stands for the schema name (see migration-provider.ts).
   * Defines: notify_feed.
   *
   * The change feed (migration `0002_change_feed`): every row of `events` records the transaction that
   * wrote it, the feed reads rows in `(tx, run_id, seq)` order, and each inserting statement notifies the
   * schema's feed channel.
   *
   * @remarks
   * A sequence number taken at insert would not do: transactions commit in another order than they take
   * numbers, so a reader following it could pass a row that commits later. `tx` is the writing
   * transaction's id; every row with `tx` below the oldest running transaction (`pg_snapshot_xmin`) is
   * final, so a reader that reads only below that horizon, in key order, never misses a row and never sees
   * one twice. Within a transaction, `run_id, seq` keeps each run's events in their recorded order. The
   * trigger is statement-level: one notification per writing statement, delivered by PostgreSQL when the
   * transaction commits (identical ones collapsed).
   */
  '0003_change_feed': {
    up: `
alter table "{{schema}}".events add column tx xid8 not null default pg_current_xact_id();
create index events_feed_idx on "{{schema}}".events (tx, run_id, seq);

create or replace function "{{schema}}".notify_feed() returns trigger language plpgsql as $$
begin
  perform pg_notify('floxide_{{schema}}_feed', '');
  return null;
end $$;

create trigger events_notify_feed after insert on "{{schema}}".events
  for each statement execute function "{{schema}}".notify_feed();
`,
    down: `
drop trigger if exists events_notify_feed on "{{schema}}".events;
drop function if exists "{{schema}}".notify_feed();
drop index if exists "{{schema}}".events_feed_idx;
alter table "{{schema}}".events drop column if exists tx;
`,
  },
  /**
   * Migration 0004_context_fields.
   * The context stored per field; commits apply counter adds, event-log appends, register sets and
   * reducer compare-and-sets per field.
   *
   * `{{schema}}` stands for the schema name (see migration-provider.ts).
   * Defines: split_context, read_context, apply_context_fields, commit_step.
   *
   * DDL and functions of migration `0004_context_fields`: the run context stored per field.
   *
   * @remarks
   * - `context_fields`: one row per field: `value` (JSON state; null for an event log), `version` (raised by
   *   each reducer commit), `log_length` (an event log's event count; null for other kinds).
   * - `context_events`: one row per event of an event-log field at its position, unique by event id.
   * - `runs.context_split`: false while the context is still the one `runs.context` document that
   *   `start_run` (and every release before) writes; `split_context` moves it into the tables on a worker's
   *   first read (the layout, which only the workflow knows, says which fields are event logs) and leaves
   *   `runs.context = '{}'`.
   * - `apply_context_fields` applies a step's field commits: counter `add` (double arithmetic, as
   *   JavaScript), event-log `append` (positions reserved under the field row's lock, ids already in the log
   *   skipped), register `set`, reducer state under a per-field version check. Every check precedes every
   *   write. Its cost is the step's own changes: no statement reads the rest of the context.
   * - `read_context` returns some fields and the tails of some logs; `commit_step` is the 0002 version with
   *   its whole-context compare-and-set replaced by a call of `apply_context_fields`.
   * Both tables reference `runs` with `on delete cascade`, so retention removes them with the run.
   */
  '0004_context_fields': {
    up: `
alter table "{{schema}}".runs add column context_split boolean not null default false;

create table "{{schema}}".context_fields (
  run_id text collate "C" not null references "{{schema}}".runs (run_id) on delete cascade,
  field text collate "C" not null,
  value jsonb,
  version integer not null default 0,
  log_length bigint,
  primary key (run_id, field)
);

create table "{{schema}}".context_events (
  run_id text collate "C" not null references "{{schema}}".runs (run_id) on delete cascade,
  field text collate "C" not null,
  pos bigint not null,
  event_id text collate "C" not null,
  event jsonb,
  primary key (run_id, field, pos),
  unique (run_id, field, event_id)
);

create or replace function "{{schema}}".split_context(p_run_id text, p_layout jsonb) returns void language plpgsql as $$
declare
  v_ctx jsonb;
  v_split boolean;
begin
  select context, context_split into v_ctx, v_split from "{{schema}}".runs where run_id = p_run_id for update;
  if not found or v_split or jsonb_typeof(v_ctx) <> 'object' then return; end if;
  insert into "{{schema}}".context_fields (run_id, field, value, log_length)
  select p_run_id, t.k, case when p_layout->>t.k = 'eventLog' then null else t.v end,
    case when p_layout->>t.k = 'eventLog' then 0 end
  from jsonb_each(v_ctx) as t(k, v);
  insert into "{{schema}}".context_fields (run_id, field, value, log_length)
  select p_run_id, t.k, null, 0 from jsonb_each_text(p_layout) as t(k, kind)
  where t.kind = 'eventLog' and not v_ctx ? t.k;
  -- First occurrence of each id wins; positions are dense (0..n-1) in log order.
  insert into "{{schema}}".context_events (run_id, field, pos, event_id, event)
  select p_run_id, d.k, row_number() over (partition by d.k order by d.ord) - 1, d.id, d.ev
  from (
    select distinct on (f.k, coalesce(e.x->>'id', 'initial:' || (e.ord - 1)))
      f.k, e.ord, coalesce(e.x->>'id', 'initial:' || (e.ord - 1)) as id, e.x->'event' as ev
    from jsonb_each(v_ctx) as f(k, v),
      jsonb_array_elements(case when jsonb_typeof(f.v) = 'array' then f.v else '[]'::jsonb end)
        with ordinality as e(x, ord)
    where p_layout->>f.k = 'eventLog'
    order by f.k, coalesce(e.x->>'id', 'initial:' || (e.ord - 1)), e.ord
  ) as d;
  update "{{schema}}".context_fields c set log_length = (
    select count(*) from "{{schema}}".context_events e where e.run_id = c.run_id and e.field = c.field)
  where c.run_id = p_run_id and c.log_length is not null;
  update "{{schema}}".runs set context = '{}'::jsonb, context_split = true where run_id = p_run_id;
end $$;

create or replace function "{{schema}}".read_context(p_run_id text, p_layout jsonb, p_fields jsonb, p_logs jsonb)
returns jsonb language plpgsql as $$
declare
  v_version integer;
  v_split boolean;
begin
  select context_version, context_split into v_version, v_split from "{{schema}}".runs where run_id = p_run_id;
  if not found then return null; end if;
  if not v_split then perform "{{schema}}".split_context(p_run_id, p_layout); end if;
  return jsonb_build_object(
    'version', v_version,
    'fields', coalesce((
      select jsonb_object_agg(c.field, jsonb_build_object('value', c.value, 'version', c.version))
      from "{{schema}}".context_fields c
      where c.run_id = p_run_id and c.field in (select jsonb_array_elements_text(p_fields))), '{}'::jsonb),
    'logs', coalesce((
      select jsonb_object_agg(l.key, coalesce((
        select jsonb_agg(jsonb_build_object('id', e.event_id, 'event', e.event) order by e.pos)
        from "{{schema}}".context_events e
        where e.run_id = p_run_id and e.field = l.key and e.pos >= l.value::bigint), '[]'::jsonb))
      from jsonb_each_text(p_logs) as l), '{}'::jsonb));
end $$;

create or replace function "{{schema}}".apply_context_fields(p_run_id text, p_fields jsonb) returns text
language plpgsql as $$
declare
  f jsonb;
  v_version integer;
  v_len bigint;
  v_n bigint;
begin
  if not coalesce((select context_split from "{{schema}}".runs where run_id = p_run_id), false) then
    return 'conflict';
  end if;
  -- Checks first: the reducer rows stay locked, so their versions cannot move before this commit ends.
  for f in select x from jsonb_array_elements(p_fields) as t(x) loop
    if f->>'kind' = 'reducer' then
      select version into v_version from "{{schema}}".context_fields
      where run_id = p_run_id and field = f->>'field' for update;
      if coalesce(v_version, 0) <> (f->>'expectedVersion')::integer then return 'conflict'; end if;
    end if;
  end loop;
  for f in select x from jsonb_array_elements(p_fields) as t(x) loop
    if f->>'kind' = 'counter' then
      insert into "{{schema}}".context_fields as c (run_id, field, value) values (p_run_id, f->>'field', to_jsonb((f->>'add')::float8))
      on conflict (run_id, field) do update
        set value = to_jsonb(coalesce((c.value #>> '{}')::float8, 0) + (f->>'add')::float8);
    elsif f->>'kind' = 'eventLog' then
      insert into "{{schema}}".context_fields (run_id, field, log_length) values (p_run_id, f->>'field', 0)
      on conflict (run_id, field) do nothing;
      -- The field row's lock orders concurrent appenders: positions are dense and commit in order.
      select coalesce(log_length, 0) into v_len from "{{schema}}".context_fields
      where run_id = p_run_id and field = f->>'field' for update;
      insert into "{{schema}}".context_events (run_id, field, pos, event_id, event)
      select p_run_id, f->>'field', v_len + row_number() over (order by e.ord) - 1, e.x->>'id', e.x->'event'
      from jsonb_array_elements(f->'append') with ordinality as e(x, ord)
      where not exists (select 1 from "{{schema}}".context_events c
        where c.run_id = p_run_id and c.field = f->>'field' and c.event_id = e.x->>'id');
      get diagnostics v_n = row_count;
      if v_n > 0 then
        update "{{schema}}".context_fields set log_length = v_len + v_n where run_id = p_run_id and field = f->>'field';
      end if;
    elsif f->>'kind' = 'register' then
      insert into "{{schema}}".context_fields (run_id, field, value) values (p_run_id, f->>'field', f->'set')
      on conflict (run_id, field) do update set value = excluded.value;
    elsif f->>'kind' = 'reducer' then
      insert into "{{schema}}".context_fields as c (run_id, field, value, version) values (p_run_id, f->>'field', f->'state', 1)
      on conflict (run_id, field) do update set value = excluded.value, version = c.version + 1;
    end if;
  end loop;
  return 'applied';
end $$;


create or replace function "{{schema}}".commit_step(p jsonb) returns jsonb language plpgsql as $$
declare
  v_lease jsonb := p->'item';
  v_run_id text := v_lease->>'runId';
  v_item_id text := v_lease->>'itemId';
  v_node text := v_lease->>'node';
  v_attempt integer := (v_lease->>'attempt')::integer;
  v_at bigint := (p->>'at')::bigint;
  o jsonb := p->'outcome';
  v_kind text := o->>'kind';
  v_duration double precision := coalesce((o->>'durationMs')::double precision, 0);
  v_now bigint := "{{schema}}".now_ms();
  v_run "{{schema}}".runs%rowtype;
  v_item "{{schema}}".work_items%rowtype;
  v_has_item boolean;
  v_seq bigint;
  v_added integer := 0;
  v_n integer;
  v_wake bigint;
  v_join_id text;
  v_join_input jsonb;
  v_why text;
  v_error jsonb;
  v_queue text;
  x jsonb;
begin
  select * into v_item from "{{schema}}".work_items where run_id = v_run_id and item_id = v_item_id for update;
  v_has_item := found;
  if v_has_item and (v_item.attempt > v_attempt
      or (v_item.attempt = v_attempt and v_item.status in ('completed', 'failed', 'dead'))) then
    return jsonb_build_object('status', 'duplicate');
  end if;
  select * into v_run from "{{schema}}".runs where run_id = v_run_id for update;
  if not found then return jsonb_build_object('status', 'rejected', 'runStatus', 'cancelled'); end if;
  if v_run.status in ('completed', 'failed', 'cancelled') then
    return jsonb_build_object('status', 'rejected', 'runStatus', v_run.status);
  end if;
  v_why := "{{schema}}".run_corruption(v_run);
  if v_why is null then
    select "{{schema}}".join_corruption(v_run_id, j->'joinItem'->>'itemId', (j->>'total')::integer) into v_why
    from jsonb_array_elements(coalesce(o->'joins', '[]'::jsonb)) as t(j)
    where "{{schema}}".join_corruption(v_run_id, j->'joinItem'->>'itemId', (j->>'total')::integer) is not null
    limit 1;
  end if;
  if v_why is not null then
    -- Nothing of the step is applied: the run fails, and the item waits (parked) for a retryFailed.
    v_error := "{{schema}}".fail_corrupt_run(v_run_id, v_why, v_item_id, v_node, v_attempt);
    update "{{schema}}".work_items set queue_state = 'parked', status = 'pending', lease_token = null, worker_id = null
    where run_id = v_run_id and item_id = v_item_id and queue_state <> 'done';
    return jsonb_build_object('status', 'corrupt', 'error', v_error);
  end if;
  -- Successors of a paused run wait outside the claim index until it is resumed.
  v_queue := case when v_run.status = 'paused' then 'parked' else 'ready' end;
  if jsonb_typeof(p->'context') = 'object' and jsonb_array_length(coalesce(p->'context'->'fields', '[]'::jsonb)) > 0 then
    if "{{schema}}".apply_context_fields(v_run_id, p->'context'->'fields') = 'conflict' then
      return jsonb_build_object('status', 'conflict');
    end if;
    v_run.context_version := v_run.context_version + 1;
  end if;
  if not v_has_item then
    -- Committed under a lease this queue never handed out (a tool replaying a step): keep its state anyway.
    insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
    values (v_run_id, v_item_id, v_attempt, v_node, v_lease, 'running', 'done', v_now);
  end if;
  v_seq := v_run.event_seq;

  if v_kind = 'advance' then
    update "{{schema}}".work_items set status = 'completed', queue_state = 'done', lease_token = null, worker_id = null,
      attempts = greatest(attempts, v_attempt)
    where run_id = v_run_id and item_id = v_item_id;
    v_run.completed := v_run.completed + 1;
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt)
    values (v_run_id, v_seq, v_at, 'step.committed', v_item_id, v_node, v_attempt);
    if o ? 'output' then
      -- First terminal output wins; the run is finished, so nothing else of this step matters.
      v_run.output := coalesce(o->'output'->'value', 'null'::jsonb);
      v_run.status := 'completed';
      v_run.finished_at := v_now;
      v_seq := v_seq + 1;
      insert into "{{schema}}".events (run_id, seq, at, type, status, error)
      values (v_run_id, v_seq, v_at, 'run.status', 'completed', v_run.error);
      update "{{schema}}".work_items w set queue_state = 'done', lease_token = null, worker_id = null
      where (w.run_id, w.item_id) in (select run_id, item_id from "{{schema}}".work_items
        where run_id = v_run_id and queue_state <> 'done' for update skip locked);
    else
      insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
      select t.e->>'runId', t.e->>'itemId', (t.e->>'attempt')::integer, t.e->>'node', t.e, 'pending', v_queue, v_now
      from jsonb_array_elements(coalesce(o->'successors', '[]'::jsonb)) as t(e)
      on conflict (run_id, item_id) do nothing;
      get diagnostics v_n = row_count;
      v_added := v_added + v_n;
      for x in select value from jsonb_array_elements(coalesce(o->'joins', '[]'::jsonb)) loop
        v_join_id := x->'joinItem'->>'itemId';
        insert into "{{schema}}".join_arrivals (run_id, join_item_id, idx, total, value)
        values (v_run_id, v_join_id, (x->>'index')::integer, (x->>'total')::integer, coalesce(x->'value', 'null'::jsonb))
        on conflict do nothing;
        select count(*), jsonb_agg(value order by idx) into v_n, v_join_input
        from "{{schema}}".join_arrivals where run_id = v_run_id and join_item_id = v_join_id;
        if v_n >= (x->>'total')::integer then
          insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
          values (v_run_id, v_join_id, (x->'joinItem'->>'attempt')::integer, x->'joinItem'->>'node',
            (x->'joinItem') || jsonb_build_object('input', v_join_input), 'pending', v_queue, v_now)
          on conflict (run_id, item_id) do nothing;
          get diagnostics v_n = row_count;
          v_added := v_added + v_n;
          -- The values live in the join item now; keeping them would double the storage of large fan-outs.
          delete from "{{schema}}".join_arrivals where run_id = v_run_id and join_item_id = v_join_id;
        end if;
      end loop;
    end if;
    if v_added > 0 then v_wake := v_now; end if;
  elsif v_kind = 'retry' then
    x := o->'retryItem';
    v_wake := v_now + greatest(coalesce((o->>'delayMs')::bigint, 0), 0);
    update "{{schema}}".work_items set attempt = (x->>'attempt')::integer, item = x,
      status = case when v_wake > v_now then 'waiting-retry' else 'pending' end, queue_state = v_queue,
      visible_at = v_wake, lease_token = null, worker_id = null, attempts = greatest(attempts, v_attempt),
      last_error = o->'error'
    where run_id = v_run_id and item_id = v_item_id;
    v_run.retries := v_run.retries + 1;
    insert into "{{schema}}".errors (run_id, item_id, node, attempt, error, at)
    values (v_run_id, v_item_id, v_node, v_attempt, o->'error', v_at);
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt, error)
    values (v_run_id, v_seq, v_at, 'step.retrying', v_item_id, v_node, v_attempt, o->'error');
  else
    v_run.failed := v_run.failed + 1;
    insert into "{{schema}}".errors (run_id, item_id, node, attempt, error, at)
    values (v_run_id, v_item_id, v_node, v_attempt, o->'error', v_at);
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt, error)
    values (v_run_id, v_seq, v_at, 'step.failed', v_item_id, v_node, v_attempt, o->'error');
    if jsonb_array_length(coalesce(o->'fallback', '[]'::jsonb)) > 0 then
      update "{{schema}}".work_items set status = 'failed', queue_state = 'done', lease_token = null, worker_id = null,
        attempts = greatest(attempts, v_attempt), last_error = o->'error'
      where run_id = v_run_id and item_id = v_item_id;
      insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
      select t.e->>'runId', t.e->>'itemId', (t.e->>'attempt')::integer, t.e->>'node', t.e, 'pending', v_queue, v_now
      from jsonb_array_elements(o->'fallback') as t(e)
      on conflict (run_id, item_id) do nothing;
      get diagnostics v_n = row_count;
      v_added := v_added + v_n;
      if v_added > 0 then v_wake := v_now; end if;
    else
      update "{{schema}}".work_items set status = 'dead', queue_state = 'done', lease_token = null, worker_id = null,
        attempts = greatest(attempts, v_attempt), last_error = o->'error'
      where run_id = v_run_id and item_id = v_item_id;
      -- Other queued items of a failed run wait, parked, for a later retryFailed (SKIP LOCKED: a claim or
      -- release holding one re-reads the run and parks it itself).
      update "{{schema}}".work_items w set queue_state = 'parked'
      where (w.run_id, w.item_id) in (select run_id, item_id from "{{schema}}".work_items
        where run_id = v_run_id and queue_state = 'ready' for update skip locked);
      v_run.status := 'failed';
      v_run.error := o->'error';
      v_run.finished_at := v_now;
      v_seq := v_seq + 1;
      insert into "{{schema}}".events (run_id, seq, at, type, status, error)
      values (v_run_id, v_seq, v_at, 'run.status', 'failed', v_run.error);
    end if;
  end if;

  if v_kind <> 'retry' then
    insert into "{{schema}}".node_timings as t (run_id, node, count, total_ms, max_ms)
    values (v_run_id, v_node, 1, v_duration, v_duration)
    on conflict (run_id, node) do update set count = t.count + 1, total_ms = t.total_ms + excluded.total_ms,
      max_ms = greatest(t.max_ms, excluded.max_ms);
  end if;

  if v_run.status in ('queued', 'running', 'paused') and not exists (
      select 1 from "{{schema}}".work_items where run_id = v_run_id and queue_state <> 'done') then
    v_run.status := 'failed';
    v_run.error := '{"name":"NoTerminalOutputError","code":"NO_TERMINAL_OUTPUT","message":"The run consumed its last work item without reaching a terminal node"}'::jsonb;
    v_run.finished_at := v_now;
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, status, error)
    values (v_run_id, v_seq, v_at, 'run.status', 'failed', v_run.error);
  end if;

  update "{{schema}}".runs set status = v_run.status, output = v_run.output, error = v_run.error,
    finished_at = v_run.finished_at, context = v_run.context, context_version = v_run.context_version,
    total_items = total_items + v_added, completed = v_run.completed, failed = v_run.failed,
    retries = v_run.retries, event_seq = v_seq
  where run_id = v_run_id;
  -- NOTIFY serialises committing transactions (a database-wide lock held through the WAL flush), so it is
  -- sent only while a lease call may be waiting; the shared lock pairs with register_waiter's exclusive one.
  if v_wake is not null and v_run.status = 'running' then
    perform pg_advisory_xact_lock_shared(hashtext('floxide_waiters:{{schema}}'), 1);
    if exists (select 1 from "{{schema}}".waiters where idle_until >= v_now) then
      perform pg_notify('floxide_{{schema}}', v_wake::text);
    end if;
  end if;
  return jsonb_build_object('status', 'committed', 'runStatus', v_run.status);
end $$;

`,
  },
  /**
   * Migration 0005_wide_fanout.
   * Wide fan-outs: a join arrival costs constant work (a counter row), not a scan of every arrival so far.
   *
   * `{{schema}}` stands for the schema name (see migration-provider.ts).
   * Defines: join_corruption, join_arrivals_corruption, record_join_arrival, commit_step.
   *
   * SQL of migration `0005_wide_fanout`, part 1: join arrivals in constant work per branch.
   *
   * @remarks
   * Until this migration every branch arriving at a join counted the join's stored arrivals and checked all
   * of them for corruption (three scans of up to N rows), under the run row lock: a 100,000-branch fan-out
   * did O(N²) work and crawled at about 100 steps/s. Now each join keeps a header row in `join_arrivals`
   * (`idx` −1, `value` = how many branches arrived, `total`), so an arrival is one insert plus one counter
   * update, and the check before it looks at the header and the first and last stored arrival only (bounded
   * index reads). The arrival that completes the join checks every value it concatenates (once per join, the
   * work the join itself needs), then the values move into the join item and the rows go, header included.
   * The header lives in `join_arrivals` so everything that removes a run's arrivals (retention) removes it too.
   * Existing joins get their header from their stored arrivals.
   *
   * SQL of `commit_step(p jsonb)` as migration `0005_wide_fanout` replaces it: the function of migration 0004
   * (per-field context commits, see `0004_context_fields.sql`) with join arrivals in constant work per branch —
   * the check before them is `join_arrivals_corruption` and the recording `record_join_arrival` (defined
   * above) — instead of a count and two corruption scans over every stored arrival of the join.
   * Nothing else changed. Built by replacing those blocks, so the released functions' texts stay the source.
   */
  '0005_wide_fanout': {
    up: `
insert into "{{schema}}".join_arrivals (run_id, join_item_id, idx, total, value)
select run_id, join_item_id, -1, min(total), to_jsonb(count(*)) from "{{schema}}".join_arrivals
group by run_id, join_item_id
on conflict do nothing;

-- Every stored row of one join, checked (the arrival that completes the join runs this once).
create or replace function "{{schema}}".join_corruption(p_run text, p_join text, p_total integer) returns text
language sql stable as $$
  select 'the join state of ' || p_join || ' is inconsistent' from "{{schema}}".join_arrivals a
  where a.run_id = p_run and a.join_item_id = p_join
    and (a.total <> p_total or a.value is null or a.idx < -1 or a.idx >= a.total
      or (a.idx = -1 and jsonb_typeof(a.value) <> 'number'))
  limit 1
$$;

-- The check before a step's join arrivals are recorded: bounded work per arrival (the header, the first and
-- the last stored arrival), plus every stored value when this arrival completes its join. Null when sound.
create or replace function "{{schema}}".join_arrivals_corruption(p_run text, p_joins jsonb) returns text
language plpgsql stable as $$
declare
  x jsonb;
  v_join text;
  v_total integer;
  v_arrived integer;
  v_new boolean;
  v_why text;
begin
  for x in select value from jsonb_array_elements(coalesce(p_joins, '[]'::jsonb)) loop
    v_join := x->'joinItem'->>'itemId';
    v_total := (x->>'total')::integer;
    select 'the join state of ' || v_join || ' is inconsistent' into v_why from (
      (select a.idx, a.total, a.value from "{{schema}}".join_arrivals a
        where a.run_id = p_run and a.join_item_id = v_join and a.idx = -1)
      union all
      (select a.idx, a.total, a.value from "{{schema}}".join_arrivals a
        where a.run_id = p_run and a.join_item_id = v_join and a.idx >= 0 order by a.idx limit 1)
      union all
      (select a.idx, a.total, a.value from "{{schema}}".join_arrivals a
        where a.run_id = p_run and a.join_item_id = v_join and a.idx >= 0 order by a.idx desc limit 1)
    ) a
    where a.total <> v_total or a.value is null or a.idx >= a.total
      or (a.idx = -1 and jsonb_typeof(a.value) <> 'number')
    limit 1;
    if v_why is not null then return v_why; end if;
    select (a.value #>> '{}')::integer into v_arrived from "{{schema}}".join_arrivals a
    where a.run_id = p_run and a.join_item_id = v_join and a.idx = -1;
    -- (plpgsql reads an IF condition up to the first THEN: the arrival test is computed beforehand.)
    v_new := not exists (select 1 from "{{schema}}".join_arrivals a
      where a.run_id = p_run and a.join_item_id = v_join and a.idx = (x->>'index')::integer);
    if coalesce(v_arrived, 0) + v_new::integer >= v_total then
      -- This arrival completes the join: every value it concatenates is checked now, and the count with it.
      v_why := "{{schema}}".join_corruption(p_run, v_join, v_total);
      if v_why is null and (select count(*) from "{{schema}}".join_arrivals a
          where a.run_id = p_run and a.join_item_id = v_join and a.idx >= 0) <> coalesce(v_arrived, 0) then
        v_why := 'the join state of ' || v_join || ' is inconsistent';
      end if;
      if v_why is not null then return v_why; end if;
    end if;
  end loop;
  return null;
end $$;

-- Records one arrival (x: { joinItem, index, total, value }); returns the join's input (the values in
-- branch order) when this arrival completes the join, whose rows are then removed; else null. An arrival
-- already recorded changes nothing.
create or replace function "{{schema}}".record_join_arrival(p_run text, x jsonb) returns jsonb language plpgsql as $$
declare
  v_join text := x->'joinItem'->>'itemId';
  v_total integer := (x->>'total')::integer;
  v_n integer;
  v_input jsonb;
begin
  insert into "{{schema}}".join_arrivals (run_id, join_item_id, idx, total, value)
  values (p_run, v_join, (x->>'index')::integer, v_total, coalesce(x->'value', 'null'::jsonb))
  on conflict do nothing;
  if not found then return null; end if;
  insert into "{{schema}}".join_arrivals as a (run_id, join_item_id, idx, total, value)
  values (p_run, v_join, -1, v_total, '1'::jsonb)
  on conflict (run_id, join_item_id, idx) do update set value = to_jsonb((a.value #>> '{}')::integer + 1)
  returning (a.value #>> '{}')::integer into v_n;
  if v_n < v_total then return null; end if;
  select jsonb_agg(a.value order by a.idx) into v_input from "{{schema}}".join_arrivals a
  where a.run_id = p_run and a.join_item_id = v_join and a.idx >= 0;
  -- The values live in the join item now; keeping them would double the storage of large fan-outs.
  delete from "{{schema}}".join_arrivals where run_id = p_run and join_item_id = v_join;
  return v_input;
end $$;

create or replace function "{{schema}}".commit_step(p jsonb) returns jsonb language plpgsql as $$
declare
  v_lease jsonb := p->'item';
  v_run_id text := v_lease->>'runId';
  v_item_id text := v_lease->>'itemId';
  v_node text := v_lease->>'node';
  v_attempt integer := (v_lease->>'attempt')::integer;
  v_at bigint := (p->>'at')::bigint;
  o jsonb := p->'outcome';
  v_kind text := o->>'kind';
  v_duration double precision := coalesce((o->>'durationMs')::double precision, 0);
  v_now bigint := "{{schema}}".now_ms();
  v_run "{{schema}}".runs%rowtype;
  v_item "{{schema}}".work_items%rowtype;
  v_has_item boolean;
  v_seq bigint;
  v_added integer := 0;
  v_n integer;
  v_wake bigint;
  v_join_id text;
  v_join_input jsonb;
  v_why text;
  v_error jsonb;
  v_queue text;
  x jsonb;
begin
  select * into v_item from "{{schema}}".work_items where run_id = v_run_id and item_id = v_item_id for update;
  v_has_item := found;
  if v_has_item and (v_item.attempt > v_attempt
      or (v_item.attempt = v_attempt and v_item.status in ('completed', 'failed', 'dead'))) then
    return jsonb_build_object('status', 'duplicate');
  end if;
  select * into v_run from "{{schema}}".runs where run_id = v_run_id for update;
  if not found then return jsonb_build_object('status', 'rejected', 'runStatus', 'cancelled'); end if;
  if v_run.status in ('completed', 'failed', 'cancelled') then
    return jsonb_build_object('status', 'rejected', 'runStatus', v_run.status);
  end if;
  v_why := "{{schema}}".run_corruption(v_run);
  if v_why is null then v_why := "{{schema}}".join_arrivals_corruption(v_run_id, o->'joins'); end if;
  if v_why is not null then
    -- Nothing of the step is applied: the run fails, and the item waits (parked) for a retryFailed.
    v_error := "{{schema}}".fail_corrupt_run(v_run_id, v_why, v_item_id, v_node, v_attempt);
    update "{{schema}}".work_items set queue_state = 'parked', status = 'pending', lease_token = null, worker_id = null
    where run_id = v_run_id and item_id = v_item_id and queue_state <> 'done';
    return jsonb_build_object('status', 'corrupt', 'error', v_error);
  end if;
  -- Successors of a paused run wait outside the claim index until it is resumed.
  v_queue := case when v_run.status = 'paused' then 'parked' else 'ready' end;
  if jsonb_typeof(p->'context') = 'object' and jsonb_array_length(coalesce(p->'context'->'fields', '[]'::jsonb)) > 0 then
    if "{{schema}}".apply_context_fields(v_run_id, p->'context'->'fields') = 'conflict' then
      return jsonb_build_object('status', 'conflict');
    end if;
    v_run.context_version := v_run.context_version + 1;
  end if;
  if not v_has_item then
    -- Committed under a lease this queue never handed out (a tool replaying a step): keep its state anyway.
    insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
    values (v_run_id, v_item_id, v_attempt, v_node, v_lease, 'running', 'done', v_now);
  end if;
  v_seq := v_run.event_seq;

  if v_kind = 'advance' then
    update "{{schema}}".work_items set status = 'completed', queue_state = 'done', lease_token = null, worker_id = null,
      attempts = greatest(attempts, v_attempt)
    where run_id = v_run_id and item_id = v_item_id;
    v_run.completed := v_run.completed + 1;
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt)
    values (v_run_id, v_seq, v_at, 'step.committed', v_item_id, v_node, v_attempt);
    if o ? 'output' then
      -- First terminal output wins; the run is finished, so nothing else of this step matters.
      v_run.output := coalesce(o->'output'->'value', 'null'::jsonb);
      v_run.status := 'completed';
      v_run.finished_at := v_now;
      v_seq := v_seq + 1;
      insert into "{{schema}}".events (run_id, seq, at, type, status, error)
      values (v_run_id, v_seq, v_at, 'run.status', 'completed', v_run.error);
      update "{{schema}}".work_items w set queue_state = 'done', lease_token = null, worker_id = null
      where (w.run_id, w.item_id) in (select run_id, item_id from "{{schema}}".work_items
        where run_id = v_run_id and queue_state <> 'done' for update skip locked);
    else
      insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
      select t.e->>'runId', t.e->>'itemId', (t.e->>'attempt')::integer, t.e->>'node', t.e, 'pending', v_queue, v_now
      from jsonb_array_elements(coalesce(o->'successors', '[]'::jsonb)) as t(e)
      on conflict (run_id, item_id) do nothing;
      get diagnostics v_n = row_count;
      v_added := v_added + v_n;
      for x in select value from jsonb_array_elements(coalesce(o->'joins', '[]'::jsonb)) loop
        v_join_id := x->'joinItem'->>'itemId';
        v_join_input := "{{schema}}".record_join_arrival(v_run_id, x);
        if v_join_input is not null then
          insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
          values (v_run_id, v_join_id, (x->'joinItem'->>'attempt')::integer, x->'joinItem'->>'node',
            (x->'joinItem') || jsonb_build_object('input', v_join_input), 'pending', v_queue, v_now)
          on conflict (run_id, item_id) do nothing;
          get diagnostics v_n = row_count;
          v_added := v_added + v_n;
        end if;
      end loop;
    end if;
    if v_added > 0 then v_wake := v_now; end if;
  elsif v_kind = 'retry' then
    x := o->'retryItem';
    v_wake := v_now + greatest(coalesce((o->>'delayMs')::bigint, 0), 0);
    update "{{schema}}".work_items set attempt = (x->>'attempt')::integer, item = x,
      status = case when v_wake > v_now then 'waiting-retry' else 'pending' end, queue_state = v_queue,
      visible_at = v_wake, lease_token = null, worker_id = null, attempts = greatest(attempts, v_attempt),
      last_error = o->'error'
    where run_id = v_run_id and item_id = v_item_id;
    v_run.retries := v_run.retries + 1;
    insert into "{{schema}}".errors (run_id, item_id, node, attempt, error, at)
    values (v_run_id, v_item_id, v_node, v_attempt, o->'error', v_at);
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt, error)
    values (v_run_id, v_seq, v_at, 'step.retrying', v_item_id, v_node, v_attempt, o->'error');
  else
    v_run.failed := v_run.failed + 1;
    insert into "{{schema}}".errors (run_id, item_id, node, attempt, error, at)
    values (v_run_id, v_item_id, v_node, v_attempt, o->'error', v_at);
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt, error)
    values (v_run_id, v_seq, v_at, 'step.failed', v_item_id, v_node, v_attempt, o->'error');
    if jsonb_array_length(coalesce(o->'fallback', '[]'::jsonb)) > 0 then
      update "{{schema}}".work_items set status = 'failed', queue_state = 'done', lease_token = null, worker_id = null,
        attempts = greatest(attempts, v_attempt), last_error = o->'error'
      where run_id = v_run_id and item_id = v_item_id;
      insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
      select t.e->>'runId', t.e->>'itemId', (t.e->>'attempt')::integer, t.e->>'node', t.e, 'pending', v_queue, v_now
      from jsonb_array_elements(o->'fallback') as t(e)
      on conflict (run_id, item_id) do nothing;
      get diagnostics v_n = row_count;
      v_added := v_added + v_n;
      if v_added > 0 then v_wake := v_now; end if;
    else
      update "{{schema}}".work_items set status = 'dead', queue_state = 'done', lease_token = null, worker_id = null,
        attempts = greatest(attempts, v_attempt), last_error = o->'error'
      where run_id = v_run_id and item_id = v_item_id;
      -- Other queued items of a failed run wait, parked, for a later retryFailed (SKIP LOCKED: a claim or
      -- release holding one re-reads the run and parks it itself).
      update "{{schema}}".work_items w set queue_state = 'parked'
      where (w.run_id, w.item_id) in (select run_id, item_id from "{{schema}}".work_items
        where run_id = v_run_id and queue_state = 'ready' for update skip locked);
      v_run.status := 'failed';
      v_run.error := o->'error';
      v_run.finished_at := v_now;
      v_seq := v_seq + 1;
      insert into "{{schema}}".events (run_id, seq, at, type, status, error)
      values (v_run_id, v_seq, v_at, 'run.status', 'failed', v_run.error);
    end if;
  end if;

  if v_kind <> 'retry' then
    insert into "{{schema}}".node_timings as t (run_id, node, count, total_ms, max_ms)
    values (v_run_id, v_node, 1, v_duration, v_duration)
    on conflict (run_id, node) do update set count = t.count + 1, total_ms = t.total_ms + excluded.total_ms,
      max_ms = greatest(t.max_ms, excluded.max_ms);
  end if;

  if v_run.status in ('queued', 'running', 'paused') and not exists (
      select 1 from "{{schema}}".work_items where run_id = v_run_id and queue_state <> 'done') then
    v_run.status := 'failed';
    v_run.error := '{"name":"NoTerminalOutputError","code":"NO_TERMINAL_OUTPUT","message":"The run consumed its last work item without reaching a terminal node"}'::jsonb;
    v_run.finished_at := v_now;
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, status, error)
    values (v_run_id, v_seq, v_at, 'run.status', 'failed', v_run.error);
  end if;

  update "{{schema}}".runs set status = v_run.status, output = v_run.output, error = v_run.error,
    finished_at = v_run.finished_at, context = v_run.context, context_version = v_run.context_version,
    total_items = total_items + v_added, completed = v_run.completed, failed = v_run.failed,
    retries = v_run.retries, event_seq = v_seq
  where run_id = v_run_id;
  -- NOTIFY serialises committing transactions (a database-wide lock held through the WAL flush), so it is
  -- sent only while a lease call may be waiting; the shared lock pairs with register_waiter's exclusive one.
  if v_wake is not null and v_run.status = 'running' then
    perform pg_advisory_xact_lock_shared(hashtext('floxide_waiters:{{schema}}'), 1);
    if exists (select 1 from "{{schema}}".waiters where idle_until >= v_now) then
      perform pg_notify('floxide_{{schema}}', v_wake::text);
    end if;
  end if;
  return jsonb_build_object('status', 'committed', 'runStatus', v_run.status);
end $$;
`,
  },
  /**
   * Migration 0006_feed_latency.
   * Finished-run hints in the feed's notification, so `wait` need not wait for the ordered feed.
   *
   * `{{schema}}` stands for the schema name (see migration-provider.ts).
   * Defines: notify_feed.
   *
   * Finished-run hints on the feed's notification (migration `0006_feed_latency`): the feed trigger now
   * names, as a JSON array payload, the runs whose final status (completed, failed, cancelled) the inserting
   * statement wrote.
   *
   * @remarks
   * The ordered feed reads only below the oldest running transaction (see `0003_change_feed.sql`), so under load an
   * event waits there for as long as the slowest concurrent transaction runs. PostgreSQL delivers a
   * notification only after its transaction commits, so a named run is final by the time a listener hears
   * of it: `wait` reads the run record at once instead of waiting for the ordered feed. The table stays the
   * source of truth — a lost or oversized notification (over 7 900 bytes: sent empty) only loses the
   * shortcut. Statements that wrote no final status keep notifying with the empty payload, which PostgreSQL
   * collapses within a transaction as before.
   */
  '0006_feed_latency': {
    up: `
create or replace function "{{schema}}".notify_feed() returns trigger language plpgsql as $$
declare
  finished text;
begin
  select json_agg(distinct n.run_id)::text into finished
    from new_rows n
    where n.type = 'run.status' and n.status in ('completed', 'failed', 'cancelled');
  if finished is null or octet_length(finished) > 7900 then
    finished := '';
  end if;
  perform pg_notify('floxide_{{schema}}_feed', finished);
  return null;
end $$;

drop trigger if exists events_notify_feed on "{{schema}}".events;
create trigger events_notify_feed after insert on "{{schema}}".events
  referencing new table as new_rows
  for each statement execute function "{{schema}}".notify_feed();
`,
    down: `
create or replace function "{{schema}}".notify_feed() returns trigger language plpgsql as $$
begin
  perform pg_notify('floxide_{{schema}}_feed', '');
  return null;
end $$;

drop trigger if exists events_notify_feed on "{{schema}}".events;
create trigger events_notify_feed after insert on "{{schema}}".events
  for each statement execute function "{{schema}}".notify_feed();
`,
  },
  /**
   * Migration 0007_run_list_indexes.
   * The runs list by workflow and status at once is an index range too.
   *
   * `{{schema}}` stands for the schema name (see migration-provider.ts).
   *
   * DDL of migration `0007_run_list_indexes`: the index of the runs list filtered by workflow and status at
   * once (the dashboard's two filters together).
   *
   * @remarks The other lists already had theirs in `0001_initial` (newest first, by status, by workflow; the
   * `since` filter is the lower end of the same ranges; a run id prefix scans the primary key, whose "C"
   * collation is byte order). Without this one, a rare status of a common workflow walked the workflow's
   * whole index to fill a page. A plain `create index` (migrations run in a transaction): it holds writes
   * to `runs` while it builds, seconds for a million runs.
   */
  '0007_run_list_indexes': {
    up: `
create index if not exists runs_workflow_status_created_idx
  on "{{schema}}".runs (workflow, status, created_at desc, run_id desc);
`,
    down: `drop index if exists "{{schema}}".runs_workflow_status_created_idx;`,
  },
  /**
   * Migration 0008_context_scale.
   * An event-log append probes the unique event-id index per event instead of scanning the whole log
   * : the cost of a commit no longer grows with the log.
   *
   * `{{schema}}` stands for the schema name (see migration-provider.ts).
   * Defines: apply_context_fields.
   */
  '0008_context_scale': {
    up: `
create unique index if not exists context_events_event_id_idx on "{{schema}}".context_events (run_id, event_id, field);
alter table "{{schema}}".context_events drop constraint if exists context_events_run_id_field_event_id_key;

create or replace function "{{schema}}".apply_context_fields(p_run_id text, p_fields jsonb) returns text
language plpgsql as $$
declare
  f jsonb;
  e jsonb;
  v_version integer;
  v_len bigint;
  v_n bigint;
begin
  if not coalesce((select context_split from "{{schema}}".runs where run_id = p_run_id), false) then
    return 'conflict';
  end if;
  -- Checks first: the reducer rows stay locked, so their versions cannot move before this commit ends.
  for f in select x from jsonb_array_elements(p_fields) as t(x) loop
    if f->>'kind' = 'reducer' then
      select version into v_version from "{{schema}}".context_fields
      where run_id = p_run_id and field = f->>'field' for update;
      if coalesce(v_version, 0) <> (f->>'expectedVersion')::integer then return 'conflict'; end if;
    end if;
  end loop;
  for f in select x from jsonb_array_elements(p_fields) as t(x) loop
    if f->>'kind' = 'counter' then
      insert into "{{schema}}".context_fields as c (run_id, field, value) values (p_run_id, f->>'field', to_jsonb((f->>'add')::float8))
      on conflict (run_id, field) do update
        set value = to_jsonb(coalesce((c.value #>> '{}')::float8, 0) + (f->>'add')::float8);
    elsif f->>'kind' = 'eventLog' then
      insert into "{{schema}}".context_fields (run_id, field, log_length) values (p_run_id, f->>'field', 0)
      on conflict (run_id, field) do nothing;
      -- The field row's lock orders concurrent appenders: positions are dense and commit in order.
      select coalesce(log_length, 0) into v_len from "{{schema}}".context_fields
      where run_id = p_run_id and field = f->>'field' for update;
      v_n := 0;
      -- One probe of the unique (run_id, field, event_id) index per event: an id already logged is skipped.
      for e in select x from jsonb_array_elements(f->'append') as t(x) loop
        insert into "{{schema}}".context_events (run_id, field, pos, event_id, event)
        values (p_run_id, f->>'field', v_len + v_n, e->>'id', e->'event')
        on conflict (run_id, field, event_id) do nothing;
        if found then v_n := v_n + 1; end if;
      end loop;
      if v_n > 0 then
        update "{{schema}}".context_fields set log_length = v_len + v_n where run_id = p_run_id and field = f->>'field';
      end if;
    elsif f->>'kind' = 'register' then
      insert into "{{schema}}".context_fields (run_id, field, value) values (p_run_id, f->>'field', f->'set')
      on conflict (run_id, field) do update set value = excluded.value;
    elsif f->>'kind' = 'reducer' then
      insert into "{{schema}}".context_fields as c (run_id, field, value, version) values (p_run_id, f->>'field', f->'state', 1)
      on conflict (run_id, field) do update set value = excluded.value, version = c.version + 1;
    end if;
  end loop;
  return 'applied';
end $$;
`,
  },
  /**
   * Migration 0010_strands.
   * Strands: a commit may lease the run's next item to the committing worker.
   *
   * `{{schema}}` stands for the schema name (see migration-provider.ts).
   * Defines: commit_step.
   *
   * SQL of migration `0010_strands`: `commit_step` of migration 0005 (see `0005_wide_fanout.sql`) with
   * the strand continuation (see `strandBlock`) added at its end. Nothing else changes: a commit
   * without `p.strand` answers exactly as before.
   */
  '0010_strands': {
    up: `
create or replace function "{{schema}}".commit_step(p jsonb) returns jsonb language plpgsql as $$
declare
  v_lease jsonb := p->'item';
  v_run_id text := v_lease->>'runId';
  v_item_id text := v_lease->>'itemId';
  v_node text := v_lease->>'node';
  v_attempt integer := (v_lease->>'attempt')::integer;
  v_at bigint := (p->>'at')::bigint;
  o jsonb := p->'outcome';
  v_kind text := o->>'kind';
  v_duration double precision := coalesce((o->>'durationMs')::double precision, 0);
  v_now bigint := "{{schema}}".now_ms();
  v_run "{{schema}}".runs%rowtype;
  v_item "{{schema}}".work_items%rowtype;
  v_has_item boolean;
  v_seq bigint;
  v_added integer := 0;
  v_n integer;
  v_wake bigint;
  v_join_id text;
  v_join_input jsonb;
  v_why text;
  v_error jsonb;
  v_queue text;
  x jsonb;
begin
  select * into v_item from "{{schema}}".work_items where run_id = v_run_id and item_id = v_item_id for update;
  v_has_item := found;
  if v_has_item and (v_item.attempt > v_attempt
      or (v_item.attempt = v_attempt and v_item.status in ('completed', 'failed', 'dead'))) then
    return jsonb_build_object('status', 'duplicate');
  end if;
  select * into v_run from "{{schema}}".runs where run_id = v_run_id for update;
  if not found then return jsonb_build_object('status', 'rejected', 'runStatus', 'cancelled'); end if;
  if v_run.status in ('completed', 'failed', 'cancelled') then
    return jsonb_build_object('status', 'rejected', 'runStatus', v_run.status);
  end if;
  v_why := "{{schema}}".run_corruption(v_run);
  if v_why is null then v_why := "{{schema}}".join_arrivals_corruption(v_run_id, o->'joins'); end if;
  if v_why is not null then
    -- Nothing of the step is applied: the run fails, and the item waits (parked) for a retryFailed.
    v_error := "{{schema}}".fail_corrupt_run(v_run_id, v_why, v_item_id, v_node, v_attempt);
    update "{{schema}}".work_items set queue_state = 'parked', status = 'pending', lease_token = null, worker_id = null
    where run_id = v_run_id and item_id = v_item_id and queue_state <> 'done';
    return jsonb_build_object('status', 'corrupt', 'error', v_error);
  end if;
  -- Successors of a paused run wait outside the claim index until it is resumed.
  v_queue := case when v_run.status = 'paused' then 'parked' else 'ready' end;
  if jsonb_typeof(p->'context') = 'object' and jsonb_array_length(coalesce(p->'context'->'fields', '[]'::jsonb)) > 0 then
    if "{{schema}}".apply_context_fields(v_run_id, p->'context'->'fields') = 'conflict' then
      return jsonb_build_object('status', 'conflict');
    end if;
    v_run.context_version := v_run.context_version + 1;
  end if;
  if not v_has_item then
    -- Committed under a lease this queue never handed out (a tool replaying a step): keep its state anyway.
    insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
    values (v_run_id, v_item_id, v_attempt, v_node, v_lease, 'running', 'done', v_now);
  end if;
  v_seq := v_run.event_seq;

  if v_kind = 'advance' then
    update "{{schema}}".work_items set status = 'completed', queue_state = 'done', lease_token = null, worker_id = null,
      attempts = greatest(attempts, v_attempt)
    where run_id = v_run_id and item_id = v_item_id;
    v_run.completed := v_run.completed + 1;
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt)
    values (v_run_id, v_seq, v_at, 'step.committed', v_item_id, v_node, v_attempt);
    if o ? 'output' then
      -- First terminal output wins; the run is finished, so nothing else of this step matters.
      v_run.output := coalesce(o->'output'->'value', 'null'::jsonb);
      v_run.status := 'completed';
      v_run.finished_at := v_now;
      v_seq := v_seq + 1;
      insert into "{{schema}}".events (run_id, seq, at, type, status, error)
      values (v_run_id, v_seq, v_at, 'run.status', 'completed', v_run.error);
      update "{{schema}}".work_items w set queue_state = 'done', lease_token = null, worker_id = null
      where (w.run_id, w.item_id) in (select run_id, item_id from "{{schema}}".work_items
        where run_id = v_run_id and queue_state <> 'done' for update skip locked);
    else
      insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
      select t.e->>'runId', t.e->>'itemId', (t.e->>'attempt')::integer, t.e->>'node', t.e, 'pending', v_queue, v_now
      from jsonb_array_elements(coalesce(o->'successors', '[]'::jsonb)) as t(e)
      on conflict (run_id, item_id) do nothing;
      get diagnostics v_n = row_count;
      v_added := v_added + v_n;
      for x in select value from jsonb_array_elements(coalesce(o->'joins', '[]'::jsonb)) loop
        v_join_id := x->'joinItem'->>'itemId';
        v_join_input := "{{schema}}".record_join_arrival(v_run_id, x);
        if v_join_input is not null then
          insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
          values (v_run_id, v_join_id, (x->'joinItem'->>'attempt')::integer, x->'joinItem'->>'node',
            (x->'joinItem') || jsonb_build_object('input', v_join_input), 'pending', v_queue, v_now)
          on conflict (run_id, item_id) do nothing;
          get diagnostics v_n = row_count;
          v_added := v_added + v_n;
        end if;
      end loop;
    end if;
    if v_added > 0 then v_wake := v_now; end if;
  elsif v_kind = 'retry' then
    x := o->'retryItem';
    v_wake := v_now + greatest(coalesce((o->>'delayMs')::bigint, 0), 0);
    update "{{schema}}".work_items set attempt = (x->>'attempt')::integer, item = x,
      status = case when v_wake > v_now then 'waiting-retry' else 'pending' end, queue_state = v_queue,
      visible_at = v_wake, lease_token = null, worker_id = null, attempts = greatest(attempts, v_attempt),
      last_error = o->'error'
    where run_id = v_run_id and item_id = v_item_id;
    v_run.retries := v_run.retries + 1;
    insert into "{{schema}}".errors (run_id, item_id, node, attempt, error, at)
    values (v_run_id, v_item_id, v_node, v_attempt, o->'error', v_at);
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt, error)
    values (v_run_id, v_seq, v_at, 'step.retrying', v_item_id, v_node, v_attempt, o->'error');
  else
    v_run.failed := v_run.failed + 1;
    insert into "{{schema}}".errors (run_id, item_id, node, attempt, error, at)
    values (v_run_id, v_item_id, v_node, v_attempt, o->'error', v_at);
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt, error)
    values (v_run_id, v_seq, v_at, 'step.failed', v_item_id, v_node, v_attempt, o->'error');
    if jsonb_array_length(coalesce(o->'fallback', '[]'::jsonb)) > 0 then
      update "{{schema}}".work_items set status = 'failed', queue_state = 'done', lease_token = null, worker_id = null,
        attempts = greatest(attempts, v_attempt), last_error = o->'error'
      where run_id = v_run_id and item_id = v_item_id;
      insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
      select t.e->>'runId', t.e->>'itemId', (t.e->>'attempt')::integer, t.e->>'node', t.e, 'pending', v_queue, v_now
      from jsonb_array_elements(o->'fallback') as t(e)
      on conflict (run_id, item_id) do nothing;
      get diagnostics v_n = row_count;
      v_added := v_added + v_n;
      if v_added > 0 then v_wake := v_now; end if;
    else
      update "{{schema}}".work_items set status = 'dead', queue_state = 'done', lease_token = null, worker_id = null,
        attempts = greatest(attempts, v_attempt), last_error = o->'error'
      where run_id = v_run_id and item_id = v_item_id;
      -- Other queued items of a failed run wait, parked, for a later retryFailed (SKIP LOCKED: a claim or
      -- release holding one re-reads the run and parks it itself).
      update "{{schema}}".work_items w set queue_state = 'parked'
      where (w.run_id, w.item_id) in (select run_id, item_id from "{{schema}}".work_items
        where run_id = v_run_id and queue_state = 'ready' for update skip locked);
      v_run.status := 'failed';
      v_run.error := o->'error';
      v_run.finished_at := v_now;
      v_seq := v_seq + 1;
      insert into "{{schema}}".events (run_id, seq, at, type, status, error)
      values (v_run_id, v_seq, v_at, 'run.status', 'failed', v_run.error);
    end if;
  end if;

  if v_kind <> 'retry' then
    insert into "{{schema}}".node_timings as t (run_id, node, count, total_ms, max_ms)
    values (v_run_id, v_node, 1, v_duration, v_duration)
    on conflict (run_id, node) do update set count = t.count + 1, total_ms = t.total_ms + excluded.total_ms,
      max_ms = greatest(t.max_ms, excluded.max_ms);
  end if;

  if v_run.status in ('queued', 'running', 'paused') and not exists (
      select 1 from "{{schema}}".work_items where run_id = v_run_id and queue_state <> 'done') then
    v_run.status := 'failed';
    v_run.error := '{"name":"NoTerminalOutputError","code":"NO_TERMINAL_OUTPUT","message":"The run consumed its last work item without reaching a terminal node"}'::jsonb;
    v_run.finished_at := v_now;
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, status, error)
    values (v_run_id, v_seq, v_at, 'run.status', 'failed', v_run.error);
  end if;

  update "{{schema}}".runs set status = v_run.status, output = v_run.output, error = v_run.error,
    finished_at = v_run.finished_at, context = v_run.context, context_version = v_run.context_version,
    total_items = total_items + v_added, completed = v_run.completed, failed = v_run.failed,
    retries = v_run.retries, event_seq = v_seq
  where run_id = v_run_id;
  -- NOTIFY serialises committing transactions (a database-wide lock held through the WAL flush), so it is
  -- sent only while a lease call may be waiting; the shared lock pairs with register_waiter's exclusive one.
  if v_wake is not null and v_run.status = 'running' then
    perform pg_advisory_xact_lock_shared(hashtext('floxide_waiters:{{schema}}'), 1);
    if exists (select 1 from "{{schema}}".waiters where idle_until >= v_now) then
      perform pg_notify('floxide_{{schema}}', v_wake::text);
    end if;
  end if;
  if v_kind = 'advance' and jsonb_typeof(p->'strand') = 'object' and v_run.status = 'running'
      and coalesce(v_run.deadline_at > v_now, true) then
    declare
      v_cand text;
      v_next "{{schema}}".work_items%rowtype;
    begin
      foreach v_cand in array array_remove(array[o->'successors'->0->>'itemId'] || array(
          select t.e->'joinItem'->>'itemId' from jsonb_array_elements(coalesce(o->'joins', '[]'::jsonb)) as t(e)), null)
      loop
        perform 1 from "{{schema}}".work_items where run_id = v_run_id and item_id = v_cand
          and queue_state = 'ready' and visible_at <= v_now for update skip locked;
        if found then
          update "{{schema}}".work_items set queue_state = 'leased', status = 'running',
            lease_token = gen_random_uuid()::text, worker_id = p->'strand'->>'workerId',
            visible_at = v_now + (p->'strand'->>'leaseMs')::bigint, attempts = greatest(attempts, attempt)
          where run_id = v_run_id and item_id = v_cand
          returning * into v_next;
          v_seq := v_seq + 1;
          insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt)
          values (v_run_id, v_seq, v_now, 'step.started', v_cand, v_next.node, v_next.attempt);
          update "{{schema}}".runs set event_seq = v_seq where run_id = v_run_id;
          return jsonb_build_object('status', 'committed', 'runStatus', v_run.status, 'next',
            jsonb_build_object('item', v_next.item, 'token', v_next.lease_token, 'expiresAt', v_next.visible_at));
        end if;
      end loop;
    end;
  end if;
  return jsonb_build_object('status', 'committed', 'runStatus', v_run.status);
end $$;
`,
  },
  /**
   * Migration 0011_task_queues.
   * Claims filtered by workflow version: a worker leases only items it can run;
   * retention by status and workflow.
   *
   * `{{schema}}` stands for the schema name (see migration-provider.ts).
   * Defines: claim_pick, claim_items, next_wake, delete_expired_runs.
   *
   * SQL of migration `0011_task_queues`: claims filtered by workflow version (a worker leases only items of
   * the workflows it registered, in the task queues it serves).
   *
   * @remarks
   * - `work_items.lane` is a stored generated column, `<version>@<workflow>` read from the item (empty when
   *   the item does not name them: a corrupt item, which every claim still picks up and fails), and
   *   `work_items.priority` the item's run priority (0 when absent), indexed `(lane, priority desc,
   *   visible_at)` over the claim states, so a filtered claim walks only its own workflows' items, highest
   *   priority first (leased and delayed items of a higher priority are walked over, not claimed).
   * - `claim_pick(p_lanes, p_max, p_now)` picks and locks (`FOR UPDATE SKIP LOCKED`) the items a claim takes:
   *   the first visible ones of each requested lane (plus the empty lane) by priority then visibility time,
   *   merged in that order; with `p_lanes` null, the oldest of every lane as before (no priority order).
   * - `claim_items(p_worker, p_lease_ms, p_max, p_lanes)` is 0002's `claim_items` with its pick replaced by
   *   `claim_pick`; the three-argument version is dropped (callers pass null for no filter).
   * - `next_wake(p_lanes)`: 0002's `next_wake` over the requested lanes only (all with null; the
   *   zero-argument version is dropped), so an item nobody running can take never wakes an idle worker.
   *
   * SQL of migration `0011_task_queues`, part 2: retention by status and workflow.
   *
   * @remarks
   * `delete_expired_runs(p_status, p_age_ms, p_workflow, p_skip, p_limit)` deletes up to `p_limit` runs with
   * status `p_status` that finished more than `p_age_ms` ago (database clock), of workflow `p_workflow` only
   * or, when it is null, of every workflow not in `p_skip`, with everything they own (items, join arrivals,
   * errors, events, node timings; the context tables cascade). It takes locks in 0002's `delete_old_runs`
   * order: item rows first (the order commits and claims use), then the run rows with `SKIP LOCKED`, re-checked
   * under the lock, so a run revived meanwhile is kept and a run another transaction holds waits for the next
   * batch. `runs_status_finished_idx` makes each call one index range, whatever other statuses hold.
   */
  '0011_task_queues': {
    up: `
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
`,
  },
  /**
   * Migration 0012_durable_waits.
   * Durable timers: an advance may delay its successors (visible_at on the database clock) and the run
   * says until when it waits (runs.waiting_until).
   *
   * `{{schema}}` stands for the schema name (see migration-provider.ts).
   * Defines: run_json, commit_step.
   *
   * SQL of migration `0012_durable_waits`: the `runs.waiting_until` column, `run_json` reporting it,
   * `commit_step` with durable timers and the `schedules` table (cron
   * schedules: the definition as JSON, the latest fired tick).
   */
  '0012_durable_waits': {
    up: `
alter table "{{schema}}".runs add column if not exists waiting_until bigint;
create table if not exists "{{schema}}".schedules (
  id text collate "C" primary key,
  record jsonb not null,
  last_tick bigint
);
create or replace function "{{schema}}".run_json(r "{{schema}}".runs) returns jsonb language sql stable as $$
  select jsonb_build_object('runId', r.run_id, 'workflow', r.workflow, 'version', r.version, 'status', r.status,
      'createdAt', r.created_at)
    || case when r.input is null then '{}'::jsonb else jsonb_build_object('input', r.input) end
    || case when r.output is null then '{}'::jsonb else jsonb_build_object('output', r.output) end
    || case when r.error is null then '{}'::jsonb else jsonb_build_object('error', r.error) end
    || case when r.started_at is null then '{}'::jsonb else jsonb_build_object('startedAt', r.started_at) end
    || case when r.finished_at is null then '{}'::jsonb else jsonb_build_object('finishedAt', r.finished_at) end
    || case when r.deadline_at is null then '{}'::jsonb else jsonb_build_object('deadlineAt', r.deadline_at) end
    || case when r.waiting_until is null or r.status not in ('queued', 'running', 'paused') then '{}'::jsonb
      else jsonb_build_object('waitingUntil', r.waiting_until) end
$$;

create or replace function "{{schema}}".commit_step(p jsonb) returns jsonb language plpgsql as $$
declare
  v_lease jsonb := p->'item';
  v_run_id text := v_lease->>'runId';
  v_item_id text := v_lease->>'itemId';
  v_node text := v_lease->>'node';
  v_attempt integer := (v_lease->>'attempt')::integer;
  v_at bigint := (p->>'at')::bigint;
  o jsonb := p->'outcome';
  v_kind text := o->>'kind';
  v_duration double precision := coalesce((o->>'durationMs')::double precision, 0);
  v_now bigint := "{{schema}}".now_ms();
  v_run "{{schema}}".runs%rowtype;
  v_item "{{schema}}".work_items%rowtype;
  v_has_item boolean;
  v_seq bigint;
  v_added integer := 0;
  v_n integer;
  v_wake bigint;
  -- [durable timers] When this advance's successors are due: now, after delayMs, or at dueAt.
  v_timer_at bigint;
  v_join_id text;
  v_join_input jsonb;
  v_why text;
  v_error jsonb;
  v_queue text;
  x jsonb;
begin
  select * into v_item from "{{schema}}".work_items where run_id = v_run_id and item_id = v_item_id for update;
  v_has_item := found;
  if v_has_item and (v_item.attempt > v_attempt
      or (v_item.attempt = v_attempt and v_item.status in ('completed', 'failed', 'dead'))) then
    return jsonb_build_object('status', 'duplicate');
  end if;
  select * into v_run from "{{schema}}".runs where run_id = v_run_id for update;
  if not found then return jsonb_build_object('status', 'rejected', 'runStatus', 'cancelled'); end if;
  if v_run.status in ('completed', 'failed', 'cancelled') then
    return jsonb_build_object('status', 'rejected', 'runStatus', v_run.status);
  end if;
  v_why := "{{schema}}".run_corruption(v_run);
  if v_why is null then v_why := "{{schema}}".join_arrivals_corruption(v_run_id, o->'joins'); end if;
  if v_why is not null then
    -- Nothing of the step is applied: the run fails, and the item waits (parked) for a retryFailed.
    v_error := "{{schema}}".fail_corrupt_run(v_run_id, v_why, v_item_id, v_node, v_attempt);
    update "{{schema}}".work_items set queue_state = 'parked', status = 'pending', lease_token = null, worker_id = null
    where run_id = v_run_id and item_id = v_item_id and queue_state <> 'done';
    return jsonb_build_object('status', 'corrupt', 'error', v_error);
  end if;
  -- Successors of a paused run wait outside the claim index until it is resumed.
  v_queue := case when v_run.status = 'paused' then 'parked' else 'ready' end;
  v_timer_at := case when v_kind <> 'advance' then v_now
    when o ? 'dueAt' then greatest(v_now, (o->>'dueAt')::bigint)
    else v_now + greatest(coalesce((o->>'delayMs')::bigint, 0), 0) end;
  if jsonb_typeof(p->'context') = 'object' and jsonb_array_length(coalesce(p->'context'->'fields', '[]'::jsonb)) > 0 then
    if "{{schema}}".apply_context_fields(v_run_id, p->'context'->'fields') = 'conflict' then
      return jsonb_build_object('status', 'conflict');
    end if;
    v_run.context_version := v_run.context_version + 1;
  end if;
  if not v_has_item then
    -- Committed under a lease this queue never handed out (a tool replaying a step): keep its state anyway.
    insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
    values (v_run_id, v_item_id, v_attempt, v_node, v_lease, 'running', 'done', v_now);
  end if;
  v_seq := v_run.event_seq;

  if v_kind = 'advance' then
    update "{{schema}}".work_items set status = 'completed', queue_state = 'done', lease_token = null, worker_id = null,
      attempts = greatest(attempts, v_attempt)
    where run_id = v_run_id and item_id = v_item_id;
    v_run.completed := v_run.completed + 1;
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt)
    values (v_run_id, v_seq, v_at, 'step.committed', v_item_id, v_node, v_attempt);
    if o ? 'output' then
      -- First terminal output wins; the run is finished, so nothing else of this step matters.
      v_run.output := coalesce(o->'output'->'value', 'null'::jsonb);
      v_run.status := 'completed';
      v_run.finished_at := v_now;
      v_seq := v_seq + 1;
      insert into "{{schema}}".events (run_id, seq, at, type, status, error)
      values (v_run_id, v_seq, v_at, 'run.status', 'completed', v_run.error);
      update "{{schema}}".work_items w set queue_state = 'done', lease_token = null, worker_id = null
      where (w.run_id, w.item_id) in (select run_id, item_id from "{{schema}}".work_items
        where run_id = v_run_id and queue_state <> 'done' for update skip locked);
    else
      insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
      select t.e->>'runId', t.e->>'itemId', (t.e->>'attempt')::integer, t.e->>'node', t.e, 'pending', v_queue, v_timer_at
      from jsonb_array_elements(coalesce(o->'successors', '[]'::jsonb)) as t(e)
      on conflict (run_id, item_id) do nothing;
      get diagnostics v_n = row_count;
      v_added := v_added + v_n;
      for x in select value from jsonb_array_elements(coalesce(o->'joins', '[]'::jsonb)) loop
        v_join_id := x->'joinItem'->>'itemId';
        v_join_input := "{{schema}}".record_join_arrival(v_run_id, x);
        if v_join_input is not null then
          insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
          values (v_run_id, v_join_id, (x->'joinItem'->>'attempt')::integer, x->'joinItem'->>'node',
            (x->'joinItem') || jsonb_build_object('input', v_join_input), 'pending', v_queue, v_timer_at)
          on conflict (run_id, item_id) do nothing;
          get diagnostics v_n = row_count;
          v_added := v_added + v_n;
        end if;
      end loop;
    end if;
    if v_added > 0 then v_wake := v_timer_at; end if;
  elsif v_kind = 'retry' then
    x := o->'retryItem';
    v_wake := v_now + greatest(coalesce((o->>'delayMs')::bigint, 0), 0);
    update "{{schema}}".work_items set attempt = (x->>'attempt')::integer, item = x,
      status = case when v_wake > v_now then 'waiting-retry' else 'pending' end, queue_state = v_queue,
      visible_at = v_wake, lease_token = null, worker_id = null, attempts = greatest(attempts, v_attempt),
      last_error = o->'error'
    where run_id = v_run_id and item_id = v_item_id;
    v_run.retries := v_run.retries + 1;
    insert into "{{schema}}".errors (run_id, item_id, node, attempt, error, at)
    values (v_run_id, v_item_id, v_node, v_attempt, o->'error', v_at);
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt, error)
    values (v_run_id, v_seq, v_at, 'step.retrying', v_item_id, v_node, v_attempt, o->'error');
  else
    v_run.failed := v_run.failed + 1;
    insert into "{{schema}}".errors (run_id, item_id, node, attempt, error, at)
    values (v_run_id, v_item_id, v_node, v_attempt, o->'error', v_at);
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt, error)
    values (v_run_id, v_seq, v_at, 'step.failed', v_item_id, v_node, v_attempt, o->'error');
    if jsonb_array_length(coalesce(o->'fallback', '[]'::jsonb)) > 0 then
      update "{{schema}}".work_items set status = 'failed', queue_state = 'done', lease_token = null, worker_id = null,
        attempts = greatest(attempts, v_attempt), last_error = o->'error'
      where run_id = v_run_id and item_id = v_item_id;
      insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
      select t.e->>'runId', t.e->>'itemId', (t.e->>'attempt')::integer, t.e->>'node', t.e, 'pending', v_queue, v_now
      from jsonb_array_elements(o->'fallback') as t(e)
      on conflict (run_id, item_id) do nothing;
      get diagnostics v_n = row_count;
      v_added := v_added + v_n;
      if v_added > 0 then v_wake := v_now; end if;
    else
      update "{{schema}}".work_items set status = 'dead', queue_state = 'done', lease_token = null, worker_id = null,
        attempts = greatest(attempts, v_attempt), last_error = o->'error'
      where run_id = v_run_id and item_id = v_item_id;
      -- Other queued items of a failed run wait, parked, for a later retryFailed (SKIP LOCKED: a claim or
      -- release holding one re-reads the run and parks it itself).
      update "{{schema}}".work_items w set queue_state = 'parked'
      where (w.run_id, w.item_id) in (select run_id, item_id from "{{schema}}".work_items
        where run_id = v_run_id and queue_state = 'ready' for update skip locked);
      v_run.status := 'failed';
      v_run.error := o->'error';
      v_run.finished_at := v_now;
      v_seq := v_seq + 1;
      insert into "{{schema}}".events (run_id, seq, at, type, status, error)
      values (v_run_id, v_seq, v_at, 'run.status', 'failed', v_run.error);
    end if;
  end if;

  if v_kind <> 'retry' then
    insert into "{{schema}}".node_timings as t (run_id, node, count, total_ms, max_ms)
    values (v_run_id, v_node, 1, v_duration, v_duration)
    on conflict (run_id, node) do update set count = t.count + 1, total_ms = t.total_ms + excluded.total_ms,
      max_ms = greatest(t.max_ms, excluded.max_ms);
  end if;

  if v_run.status in ('queued', 'running', 'paused') and not exists (
      select 1 from "{{schema}}".work_items where run_id = v_run_id and queue_state <> 'done') then
    v_run.status := 'failed';
    v_run.error := '{"name":"NoTerminalOutputError","code":"NO_TERMINAL_OUTPUT","message":"The run consumed its last work item without reaching a terminal node"}'::jsonb;
    v_run.finished_at := v_now;
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, status, error)
    values (v_run_id, v_seq, v_at, 'run.status', 'failed', v_run.error);
  end if;

  update "{{schema}}".runs set status = v_run.status, output = v_run.output, error = v_run.error,
    finished_at = v_run.finished_at, context = v_run.context, context_version = v_run.context_version,
    total_items = total_items + v_added, completed = v_run.completed, failed = v_run.failed,
    retries = v_run.retries, event_seq = v_seq,
    waiting_until = case when v_timer_at > v_now and v_added > 0 then v_timer_at end
  where run_id = v_run_id;
  -- NOTIFY serialises committing transactions (a database-wide lock held through the WAL flush), so it is
  -- sent only while a lease call may be waiting; the shared lock pairs with register_waiter's exclusive one.
  if v_wake is not null and v_run.status = 'running' then
    perform pg_advisory_xact_lock_shared(hashtext('floxide_waiters:{{schema}}'), 1);
    if exists (select 1 from "{{schema}}".waiters where idle_until >= v_now) then
      perform pg_notify('floxide_{{schema}}', v_wake::text);
    end if;
  end if;
  if v_kind = 'advance' and jsonb_typeof(p->'strand') = 'object' and v_run.status = 'running'
      and coalesce(v_run.deadline_at > v_now, true) then
    declare
      v_cand text;
      v_next "{{schema}}".work_items%rowtype;
    begin
      foreach v_cand in array array_remove(array[o->'successors'->0->>'itemId'] || array(
          select t.e->'joinItem'->>'itemId' from jsonb_array_elements(coalesce(o->'joins', '[]'::jsonb)) as t(e)), null)
      loop
        perform 1 from "{{schema}}".work_items where run_id = v_run_id and item_id = v_cand
          and queue_state = 'ready' and visible_at <= v_now for update skip locked;
        if found then
          update "{{schema}}".work_items set queue_state = 'leased', status = 'running',
            lease_token = gen_random_uuid()::text, worker_id = p->'strand'->>'workerId',
            visible_at = v_now + (p->'strand'->>'leaseMs')::bigint, attempts = greatest(attempts, attempt)
          where run_id = v_run_id and item_id = v_cand
          returning * into v_next;
          v_seq := v_seq + 1;
          insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt)
          values (v_run_id, v_seq, v_now, 'step.started', v_cand, v_next.node, v_next.attempt);
          update "{{schema}}".runs set event_seq = v_seq where run_id = v_run_id;
          return jsonb_build_object('status', 'committed', 'runStatus', v_run.status, 'next',
            jsonb_build_object('item', v_next.item, 'token', v_next.lease_token, 'expiresAt', v_next.visible_at));
        end if;
      end loop;
    end;
  end if;
  return jsonb_build_object('status', 'committed', 'runStatus', v_run.status);
end $$;

`,
  },
  /**
   * Migration 0014_finished_run_records.
   * The final run record in the feed's notification, so `wait` resolves without reading the run.
   *
   * `{{schema}}` stands for the schema name (see migration-provider.ts).
   * Defines: notify_run_finished.
   *
   * Finished-run records on the feed's notification (migration `0014_finished_run_records`): when a run's
   * status becomes final (completed, failed, cancelled), a row trigger on `runs` notifies the feed channel
   * with `{"run": <the run record>}` (the record `run_json` builds, as `runs.get` reads it).
   *
   * @remarks
   * `wait` resolves from that payload without reading the run: the run record reaches the waiting process
   * in the notification itself, one hop after the commit. PostgreSQL delivers a notification only once its
   * transaction has committed, so the record is the committed one. A record over 7 900 bytes (a large
   * output or error) is not sent: the feed trigger's finished-run ids (`0006_feed_latency`) still name the
   * run, and `wait` reads it. The trigger fires only on the transition to a final status (its `when`
   * clause), so ordinary commits pay one comparison.
   */
  '0014_finished_run_records': {
    up: `
create or replace function "{{schema}}".notify_run_finished() returns trigger language plpgsql as $$
declare
  payload text;
begin
  payload := jsonb_build_object('run', "{{schema}}".run_json(new))::text;
  if octet_length(payload) <= 7900 then
    perform pg_notify('floxide_{{schema}}_feed', payload);
  end if;
  return null;
end $$;

drop trigger if exists runs_notify_finished on "{{schema}}".runs;
create trigger runs_notify_finished after update of status on "{{schema}}".runs
  for each row
  when (new.status in ('completed', 'failed', 'cancelled') and old.status is distinct from new.status)
  execute function "{{schema}}".notify_run_finished();
`,
    down: `
drop trigger if exists runs_notify_finished on "{{schema}}".runs;
drop function if exists "{{schema}}".notify_run_finished();
`,
  },
  /**
   * Migration 0016_concurrency_limits.
   * Fleet-wide maxConcurrency per workflow version, counted and enforced by the claim.
   *
   * `{{schema}}` stands for the schema name (see migration-provider.ts).
   * Defines: claim_pick_limited, claim_items.
   *
   * SQL of migration `0016_concurrency_limits`: fleet-wide `maxConcurrency` per workflow version, enforced
   * by the claim.
   *
   * @remarks
   * - `work_items_lane_leased_idx (lane, visible_at) where queue_state = 'leased'`: the live leases of a lane
   *   (deadline still ahead) are counted through it, never through the lane's backlog.
   * - `claim_pick_limited(p_lanes, p_max, p_now, p_limits)`: `p_limits[i]` is the limit of `p_lanes[i]`
   *   (null: none). Each limited lane is locked for the claim's transaction (an advisory transaction lock
   *   per schema and lane, taken in lane order so claims never deadlock), its live leases are counted, and
   *   at most the remaining allowance of its items is picked; a claim that commits releases the lock after
   *   its leases are visible, so the next claim of the lane counts them. Lanes without a limit cost what
   *   0011's `claim_pick` costs (it is called as is when no lane has a limit).
   * - `claim_items(p_worker, p_lease_ms, p_max, p_lanes, p_limits)`: 0011's `claim_items` with its pick
   *   replaced by `claim_pick_limited`. The four-argument version stays for callers without limits.
   * A strand's commit that leases the run's next item (0010) finishes one lease as it takes the next, so it
   * never raises the count.
   */
  '0016_concurrency_limits': {
    up: `
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

`,
  },
  /**
   * Migration 0017_signals.
   * Durable signal waits (see `SignalStore` in `@floxide/distributed`).
   *
   * `{{schema}}` stands for the schema name (see migration-provider.ts).
   * Defines: run_waits, run_json, park_item, deliver_signal.
   *
   * @remarks
   * - `signal_inbox`: signals sent before a step waited for them, consumed oldest first by name;
   *   `signal_ids`: the signal ids a run received (exactly once by id). Both cascade with their run (retention).
   * - A parked item is its `work_items` row as the next attempt, its JSON carrying `parked` (`waitAttempts`
   *   raised), not leased, visible at its timeout or the run deadline (`8.64e15`, never, without either).
   * - `run_waits(run)`: `{ waitingFor, waiting? }` of a run from its parked rows (`waiting` when no other item
   *   is outstanding); `run_json` (0012's, derived) reports them.
   * - `park_item(p)` and `deliver_signal(p)`: one transaction each under the run row lock, the item row locked
   *   after it (the order commits and claims lock in). A park is idempotent by `(itemId, attempt)` like a commit
   *   (the row moved to the next attempt); a delivery takes the oldest parked row of that name that is not
   *   leased (a lease there is its timeout firing), else stores the signal.
   */
  '0017_signals': {
    up: `
alter table "{{schema}}".runs add column if not exists signal_parks integer not null default 0;
create table if not exists "{{schema}}".signal_inbox (
  run_id text collate "C" not null references "{{schema}}".runs (run_id) on delete cascade,
  seq bigserial not null,
  name text collate "C" not null,
  payload jsonb not null,
  primary key (run_id, seq)
);
create table if not exists "{{schema}}".signal_ids (
  run_id text collate "C" not null references "{{schema}}".runs (run_id) on delete cascade,
  signal_id text collate "C" not null,
  primary key (run_id, signal_id)
);

create or replace function "{{schema}}".run_waits(p_run text) returns jsonb language sql stable as $$
  select case when w.names is null then '{}'::jsonb
    when exists (select 1 from "{{schema}}".work_items o where o.run_id = p_run and o.queue_state <> 'done'
        and (o.queue_state = 'leased' or not (o.item ? 'parked')))
      then jsonb_build_object('waitingFor', w.names)
    else jsonb_build_object('waitingFor', w.names, 'waiting', true) end
  from (select jsonb_agg(i.item->'parked'->>'name' order by i.seq) as names from "{{schema}}".work_items i
    where i.run_id = p_run and i.queue_state in ('ready', 'parked') and i.item ? 'parked') w
$$;

create or replace function "{{schema}}".run_json(r "{{schema}}".runs) returns jsonb language sql stable as $$
  select jsonb_build_object('runId', r.run_id, 'workflow', r.workflow, 'version', r.version, 'status', r.status,
      'createdAt', r.created_at)
    || case when r.input is null then '{}'::jsonb else jsonb_build_object('input', r.input) end
    || case when r.output is null then '{}'::jsonb else jsonb_build_object('output', r.output) end
    || case when r.error is null then '{}'::jsonb else jsonb_build_object('error', r.error) end
    || case when r.started_at is null then '{}'::jsonb else jsonb_build_object('startedAt', r.started_at) end
    || case when r.finished_at is null then '{}'::jsonb else jsonb_build_object('finishedAt', r.finished_at) end
    || case when r.deadline_at is null then '{}'::jsonb else jsonb_build_object('deadlineAt', r.deadline_at) end
    || case when r.waiting_until is null or r.status not in ('queued', 'running', 'paused') then '{}'::jsonb
      else jsonb_build_object('waitingUntil', r.waiting_until) end
    || case when r.signal_parks = 0 or r.status not in ('running', 'paused') then '{}'::jsonb
      else (select case when x ? 'waiting' and r.status = 'running'
          then (x - 'waiting') || jsonb_build_object('status', 'waiting') else x - 'waiting' end
        from "{{schema}}".run_waits(r.run_id) x) end
$$;

create or replace function "{{schema}}".park_item(p jsonb) returns jsonb language plpgsql as $$
declare
  v_run "{{schema}}".runs%rowtype;
  v_item "{{schema}}".work_items%rowtype;
  v_now bigint := "{{schema}}".now_ms();
  v_attempt integer := (p->>'attempt')::integer;
  v_name text := p->>'name';
  v_next jsonb;
  v_sig record;
  v_timeout bigint;
  v_visible bigint;
  v_status text;
begin
  select * into v_run from "{{schema}}".runs where run_id = p->>'runId' for update;
  if not found then return jsonb_build_object('status', 'rejected', 'runStatus', 'cancelled'); end if;
  select * into v_item from "{{schema}}".work_items where run_id = v_run.run_id and item_id = p->>'itemId' for update;
  if not found or v_item.attempt > v_attempt
      or (v_item.attempt = v_attempt and v_item.status in ('completed', 'failed', 'dead')) then
    return jsonb_build_object('status', 'duplicate');
  end if;
  if v_run.status in ('completed', 'failed', 'cancelled') then
    return jsonb_build_object('status', 'rejected', 'runStatus', v_run.status);
  end if;
  if p ? 'refused' then
    insert into "{{schema}}".errors (run_id, item_id, node, attempt, error, at)
    values (v_run.run_id, v_item.item_id, v_item.node, v_attempt, p->'refused', (p->>'at')::bigint);
  end if;
  v_next := (v_item.item - 'parked' - 'delivered') || jsonb_build_object('attempt', v_attempt + 1,
    'waitAttempts', coalesce((v_item.item->>'waitAttempts')::integer, 0) + 1);
  select i.seq, i.payload into v_sig from "{{schema}}".signal_inbox i
    where i.run_id = v_run.run_id and i.name = v_name order by i.seq limit 1 for update;
  if found then
    delete from "{{schema}}".signal_inbox where run_id = v_run.run_id and seq = v_sig.seq;
    v_next := v_next || jsonb_build_object('delivered', jsonb_build_object('name', v_name, 'payload', v_sig.payload));
    v_visible := v_now;
    v_status := 'delivered';
  else
    v_timeout := case when p ? 'timeoutMs' then v_now + (p->>'timeoutMs')::bigint end;
    v_next := v_next || jsonb_build_object('parked', jsonb_build_object('name', v_name)
      || case when v_timeout is null then '{}'::jsonb else jsonb_build_object('timeoutAt', v_timeout) end);
    v_visible := least(coalesce(v_timeout, 8640000000000000), coalesce(v_run.deadline_at, 8640000000000000));
    v_status := 'parked';
    update "{{schema}}".runs set signal_parks = signal_parks + 1 where run_id = v_run.run_id;
  end if;
  update "{{schema}}".work_items set attempt = v_attempt + 1, item = v_next, status = 'pending',
    queue_state = case when v_run.status in ('paused', 'failed') then 'parked' else 'ready' end,
    visible_at = v_visible, lease_token = null, worker_id = null
  where run_id = v_run.run_id and item_id = v_item.item_id;
  if v_status = 'delivered' then
    perform pg_notify('floxide_{{schema}}', v_now::text);
  elsif "{{schema}}".run_waits(v_run.run_id) ? 'waiting' and v_run.status = 'running' then
    perform "{{schema}}".add_event(v_run.run_id, v_now, 'run.status', 'waiting', null, null, null, null);
  end if;
  return jsonb_build_object('status', v_status, 'runStatus',
    case when v_status = 'parked' and v_run.status = 'running' and "{{schema}}".run_waits(v_run.run_id) ? 'waiting'
      then 'waiting' else v_run.status end);
end $$;

create or replace function "{{schema}}".deliver_signal(p jsonb) returns jsonb language plpgsql as $$
declare
  v_run "{{schema}}".runs%rowtype;
  v_item "{{schema}}".work_items%rowtype;
  v_now bigint := "{{schema}}".now_ms();
  v_name text := p->>'name';
  v_waiting boolean;
begin
  select * into v_run from "{{schema}}".runs where run_id = p->>'runId' for update;
  if not found then return jsonb_build_object('error', 'RUN_NOT_FOUND'); end if;
  -- A retried send of a signal already received is a duplicate even once the run has finished.
  if p ? 'signalId' and exists (select 1 from "{{schema}}".signal_ids
      where run_id = v_run.run_id and signal_id = p->>'signalId') then
    return jsonb_build_object('status', 'duplicate');
  end if;
  if v_run.status in ('completed', 'failed', 'cancelled') then
    return jsonb_build_object('error', 'RUN_STATE', 'status', v_run.status);
  end if;
  if p ? 'signalId' then
    insert into "{{schema}}".signal_ids (run_id, signal_id) values (v_run.run_id, p->>'signalId');
  end if;
  v_waiting := v_run.status = 'running' and v_run.signal_parks > 0 and "{{schema}}".run_waits(v_run.run_id) ? 'waiting';
  select * into v_item from "{{schema}}".work_items w
    where w.run_id = v_run.run_id and w.queue_state in ('ready', 'parked') and w.item->'parked'->>'name' = v_name
    order by w.seq limit 1 for update;
  if not found then
    insert into "{{schema}}".signal_inbox (run_id, name, payload) values (v_run.run_id, v_name, p->'payload');
    return jsonb_build_object('status', 'stored');
  end if;
  update "{{schema}}".work_items set attempt = v_item.attempt + 1, status = 'pending', visible_at = v_now,
    item = (v_item.item - 'parked') || jsonb_build_object('attempt', v_item.attempt + 1,
      'waitAttempts', coalesce((v_item.item->>'waitAttempts')::integer, 0) + 1,
      'delivered', jsonb_build_object('name', v_name, 'payload', p->'payload'))
  where run_id = v_run.run_id and item_id = v_item.item_id;
  if v_item.queue_state = 'ready' then perform pg_notify('floxide_{{schema}}', v_now::text); end if;
  if v_waiting then
    perform "{{schema}}".add_event(v_run.run_id, v_now, 'run.status', 'running', null, null, null, null);
  end if;
  return jsonb_build_object('status', 'delivered', 'itemId', v_item.item_id);
end $$;
`,
  },
  /**
   * Migration 0019_fair_share.
   * Runs of equal priority share a lane's workers (start-time fair queuing), so a run started behind another
   * run's large backlog waits for about one item per run with a backlog, not for the backlog.
   *
   * `{{schema}}` stands for the schema name (see migration-provider.ts).
   * Defines: fair_tag_item (trigger work_items_fair_tag), claim_pick, claim_pick_limited.
   *
   * @remarks
   * - `work_items.fair_tag`: set by the `before insert` trigger `work_items_fair_tag` on every item inserted
   *   ready and visible (by start_run, commit_step, enqueue_items: no function changes). An item's tag is
   *   `V + 1` where `V` is the smallest tag queued (ready or leased) in its lane and priority, read through
   *   `work_items_fair_idx`; the next items the same transaction inserts for the same run take the next
   *   tags (a transaction-local setting carries the run's last tag), so a fan-out of 50,000 holds tags
   *   `V + 1 .. V + 50,000` while a run that enqueues later gets `V' + 1`. Items inserted delayed (durable
   *   timers) get none: they become visible later, when a tag taken now would be stale.
   * - `claim_pick` and `claim_pick_limited` (0011's and 0016's with their per-lane pick replaced) take, per
   *   lane, the visible items without a tag (by visibility time, through `work_items_untagged_idx`) ahead of
   *   the tagged ones (by tag, through `work_items_fair_idx`), each range locked as it is read. Neither range
   *   holds delayed items of the other kind, so a lane with many sleeping timers is not walked per claim.
   * - Claims without a workflow filter (`p_lanes` null) keep the visibility order.
   */
  '0019_fair_share': {
    up: `
alter table "{{schema}}".work_items add column fair_tag bigint;
create index work_items_fair_idx on "{{schema}}".work_items (lane, priority desc, fair_tag, visible_at)
  where queue_state in ('ready', 'leased') and fair_tag is not null;
create index work_items_untagged_idx on "{{schema}}".work_items (lane, priority desc, visible_at)
  where queue_state in ('ready', 'leased') and fair_tag is null;

create or replace function "{{schema}}".fair_tag_item() returns trigger language plpgsql as $$
declare
  v_last text;
  v_sep integer;
  v_tag bigint;
  v_lane text;
  v_priority integer;
begin
  if new.queue_state <> 'ready' or new.visible_at > "{{schema}}".now_ms() then
    new.fair_tag := null;
    return new;
  end if;
  -- '<tag> <run id>': the last tag this transaction gave an item of that run.
  v_last := current_setting('floxide.fair_last', true);
  v_sep := position(' ' in coalesce(v_last, ''));
  if v_sep > 0 and substr(v_last, v_sep + 1) = new.run_id then
    v_tag := left(v_last, v_sep - 1)::bigint + 1;
  else
    -- The generated lane and priority columns are computed after this trigger: the same expressions.
    v_lane := case when jsonb_typeof(new.item->'workflow') = 'string' and jsonb_typeof(new.item->'version') = 'number'
      then (new.item->>'version') || '@' || (new.item->>'workflow') else '' end;
    v_priority := case when jsonb_typeof(new.item->'priority') = 'number'
      then least(greatest(round((new.item->>'priority')::numeric), -1000), 1000)::integer else 0 end;
    v_tag := coalesce((select w.fair_tag from "{{schema}}".work_items w
      where w.lane = v_lane and w.priority = v_priority and w.queue_state in ('ready', 'leased')
        and w.fair_tag is not null
      order by w.priority desc, w.fair_tag limit 1), 0) + 1;
  end if;
  perform set_config('floxide.fair_last', v_tag || ' ' || new.run_id, true);
  new.fair_tag := v_tag;
  return new;
end $$;

create trigger work_items_fair_tag before insert on "{{schema}}".work_items
  for each row execute function "{{schema}}".fair_tag_item();

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
        select * from (select w.run_id, w.item_id, w.priority, w.fair_tag, w.visible_at from "{{schema}}".work_items w
          where w.lane = l.lane and w.queue_state in ('ready', 'leased') and w.fair_tag is null
            and w.visible_at <= p_now
          order by w.priority desc, w.visible_at limit p_max for update skip locked) u
        union all
        select * from (select w.run_id, w.item_id, w.priority, w.fair_tag, w.visible_at from "{{schema}}".work_items w
          where w.lane = l.lane and w.queue_state in ('ready', 'leased') and w.fair_tag is not null
            and w.visible_at <= p_now
          order by w.priority desc, w.fair_tag, w.visible_at limit p_max for update skip locked) t) p
      order by p.priority desc, p.fair_tag nulls first, p.visible_at limit p_max;
  end if;
end $$;

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
      select * from (select w.run_id, w.item_id, w.priority, w.fair_tag, w.visible_at from "{{schema}}".work_items w
        where w.lane = l.lane and w.queue_state in ('ready', 'leased') and w.fair_tag is null
          and w.visible_at <= p_now
        order by w.priority desc, w.visible_at limit l.cap for update skip locked) u
      union all
      select * from (select w.run_id, w.item_id, w.priority, w.fair_tag, w.visible_at from "{{schema}}".work_items w
        where w.lane = l.lane and w.queue_state in ('ready', 'leased') and w.fair_tag is not null
          and w.visible_at <= p_now
        order by w.priority desc, w.fair_tag, w.visible_at limit l.cap for update skip locked) t) p
    order by p.priority desc, p.fair_tag nulls first, p.visible_at limit p_max;
end $$;
`,
  },
  /**
   * Migration 0020_feed_notify_after_commit.
   * A step commit's feed notifications leave after its commit.
   *
   * `{{schema}}` stands for the schema name (see migration-provider.ts).
   * Defines: feed_notice, notify_feed, notify_run_finished, commit_step_notify_after, feed_notify.
   *
   * @remarks
   * PostgreSQL serialises the commits of every transaction that sent a NOTIFY: it takes a database-wide
   * lock before the commit record and holds it through the WAL flush. The feed triggers (`notify_feed` of
   * `0006_feed_latency`, `notify_run_finished` of `0014_finished_run_records`) notified from inside every
   * step commit, so under a busy worker each commit queued behind the others' flushes, one at a time: the
   * finished run's notice reached `wait` only once its commit had waited its turn (measured with 16
   * committers: 260 commits/s with the NOTIFY, about 2,000 without; status write → notice 53 ms p50).
   *
   * Now both triggers hand their payload to `feed_notice`, which notifies as before — unless the transaction
   * set `floxide.feed_defer`, then it collects the payload in the transaction-local setting
   * `floxide.feed_notices` (identical payloads once, as PostgreSQL folds them). `commit_step_notify_after`
   * is `commit_step` in such a transaction: it returns the commit's answer with the collected payloads as
   * `feedNotices`, and the client sends them right after the commit with `feed_notify`, in a transaction of
   * their own that writes nothing and commits without waiting for its WAL flush (`synchronous_commit = off`
   * for that transaction only: a notification is not durable anyway). The step commit itself stays durable
   * and no longer takes the NOTIFY lock. A notice lost between the two (the client died) is what a lost
   * notification always was: the table is the source of truth and feed readers re-read from their position.
   * Every other writer (start, control, claims, retention) still notifies from its own transaction.
   */
  '0020_feed_notify_after_commit': {
    up: `
create or replace function "{{schema}}".feed_notice(p_payload text) returns void language plpgsql as $$
declare
  v_notices jsonb;
begin
  if current_setting('floxide.feed_defer', true) is distinct from 'on' then
    perform pg_notify('floxide_{{schema}}_feed', p_payload);
    return;
  end if;
  v_notices := coalesce(nullif(current_setting('floxide.feed_notices', true), '')::jsonb, '[]'::jsonb);
  if not v_notices @> jsonb_build_array(p_payload) then
    perform set_config('floxide.feed_notices', (v_notices || jsonb_build_array(p_payload))::text, true);
  end if;
end $$;

create or replace function "{{schema}}".notify_feed() returns trigger language plpgsql as $$
declare
  finished text;
begin
  select json_agg(distinct n.run_id)::text into finished
    from new_rows n
    where n.type = 'run.status' and n.status in ('completed', 'failed', 'cancelled');
  if finished is null or octet_length(finished) > 7900 then
    finished := '';
  end if;
  perform "{{schema}}".feed_notice(finished);
  return null;
end $$;

create or replace function "{{schema}}".notify_run_finished() returns trigger language plpgsql as $$
declare
  payload text;
begin
  payload := jsonb_build_object('run', "{{schema}}".run_json(new))::text;
  if octet_length(payload) <= 7900 then
    perform "{{schema}}".feed_notice(payload);
  end if;
  return null;
end $$;

create or replace function "{{schema}}".commit_step_notify_after(p jsonb) returns jsonb language plpgsql as $$
declare
  v_result jsonb;
begin
  perform set_config('floxide.feed_defer', 'on', true);
  perform set_config('floxide.feed_notices', '', true);
  v_result := "{{schema}}".commit_step(p);
  perform set_config('floxide.feed_defer', '', true);
  return v_result || jsonb_build_object('feedNotices',
    coalesce(nullif(current_setting('floxide.feed_notices', true), '')::jsonb, '[]'::jsonb));
end $$;

create or replace function "{{schema}}".feed_notify(p_notices jsonb) returns void language plpgsql as $$
declare
  v_payload text;
begin
  perform set_config('synchronous_commit', 'off', true);
  for v_payload in select jsonb_array_elements_text(p_notices) loop
    perform pg_notify('floxide_{{schema}}_feed', v_payload);
  end loop;
end $$;
`,
    down: `
create or replace function "{{schema}}".notify_feed() returns trigger language plpgsql as $$
declare
  finished text;
begin
  select json_agg(distinct n.run_id)::text into finished
    from new_rows n
    where n.type = 'run.status' and n.status in ('completed', 'failed', 'cancelled');
  if finished is null or octet_length(finished) > 7900 then
    finished := '';
  end if;
  perform pg_notify('floxide_{{schema}}_feed', finished);
  return null;
end $$;

create or replace function "{{schema}}".notify_run_finished() returns trigger language plpgsql as $$
declare
  payload text;
begin
  payload := jsonb_build_object('run', "{{schema}}".run_json(new))::text;
  if octet_length(payload) <= 7900 then
    perform pg_notify('floxide_{{schema}}_feed', payload);
  end if;
  return null;
end $$;

drop function if exists "{{schema}}".commit_step_notify_after(jsonb);
drop function if exists "{{schema}}".feed_notify(jsonb);
drop function if exists "{{schema}}".feed_notice(text);
`,
  },
  /**
   * Migration 0021_child_runs.
   * Child runs: a run started by a `subflow` node on a distributed worker records its parent.
   *
   * `{{schema}}` stands for the schema name (see migration-provider.ts).
   * Defines: start_run, run_json.
   *
   * @remarks
   * - `runs.parent_run_id`: the parent's run id (null for a run started any other way). Children are found
   *   by their ids (`<parent run id>/<item id>/<attempt>`, through the run-id index), so no index here.
   * - `start_run` (0002's) stores `parentRunId`; `run_json` (0017's) reports it.
   */
  '0021_child_runs': {
    up: `
alter table "{{schema}}".runs add column if not exists parent_run_id text collate "C";

create or replace function "{{schema}}".start_run(p jsonb) returns jsonb language plpgsql as $$
declare
  v_run "{{schema}}".runs%rowtype;
  v_item jsonb := p->'startItem';
  v_now bigint := "{{schema}}".now_ms();
begin
  insert into "{{schema}}".runs (run_id, workflow, version, status, input, created_at, deadline_at, context, total_items,
    has_context, parent_run_id)
  values (p->>'runId', p->>'workflow', (p->>'version')::integer, 'queued', p->'input', (p->>'createdAt')::bigint,
    (p->>'deadlineAt')::bigint, coalesce(p->'context', 'null'::jsonb), 1, jsonb_typeof(p->'context') = 'object',
    p->>'parentRunId')
  on conflict (run_id) do nothing
  returning * into v_run;
  if not found then
    select * into v_run from "{{schema}}".runs where run_id = p->>'runId';
    return jsonb_build_object('created', false, 'run', "{{schema}}".run_json(v_run));
  end if;
  insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
  values (v_item->>'runId', v_item->>'itemId', (v_item->>'attempt')::integer, v_item->>'node', v_item, 'pending',
    'ready', v_now)
  on conflict (run_id, item_id) do nothing;
  perform "{{schema}}".add_event(v_run.run_id, (p->>'createdAt')::bigint, 'run.status', 'queued', null, null, null, null);
  perform pg_notify('floxide_{{schema}}', v_now::text);
  return jsonb_build_object('created', true, 'run', "{{schema}}".run_json(v_run));
end $$;

create or replace function "{{schema}}".run_json(r "{{schema}}".runs) returns jsonb language sql stable as $$
  select jsonb_build_object('runId', r.run_id, 'workflow', r.workflow, 'version', r.version, 'status', r.status,
      'createdAt', r.created_at)
    || case when r.input is null then '{}'::jsonb else jsonb_build_object('input', r.input) end
    || case when r.output is null then '{}'::jsonb else jsonb_build_object('output', r.output) end
    || case when r.error is null then '{}'::jsonb else jsonb_build_object('error', r.error) end
    || case when r.started_at is null then '{}'::jsonb else jsonb_build_object('startedAt', r.started_at) end
    || case when r.finished_at is null then '{}'::jsonb else jsonb_build_object('finishedAt', r.finished_at) end
    || case when r.deadline_at is null then '{}'::jsonb else jsonb_build_object('deadlineAt', r.deadline_at) end
    || case when r.parent_run_id is null then '{}'::jsonb else jsonb_build_object('parentRunId', r.parent_run_id) end
    || case when r.waiting_until is null or r.status not in ('queued', 'running', 'paused') then '{}'::jsonb
      else jsonb_build_object('waitingUntil', r.waiting_until) end
    || case when r.signal_parks = 0 or r.status not in ('running', 'paused') then '{}'::jsonb
      else (select case when x ? 'waiting' and r.status = 'running'
          then (x - 'waiting') || jsonb_build_object('status', 'waiting') else x - 'waiting' end
        from "{{schema}}".run_waits(r.run_id) x) end
$$;
`,
  },
  /**
   * Migration 0023_commit_batches.
   * Several step commits of one run in one transaction (issue 11 §1: a wide fan-out's branch commits).
   *
   * `{{schema}}` stands for the schema name (see migration-provider.ts).
   * Defines: commit_steps.
   *
   * @remarks
   * Every step commit of a run holds the run row (`FOR UPDATE`, for its counters, its dense event numbers and
   * the exclusion of cancel and pause) until its transaction ends, and that end waits for the WAL flush: the
   * branches of one fan-out committed one flush at a time, whatever the number of workers (measured: 248
   * commits/s of one run against 1,457/s spread over as many runs, 3 processes × 16 committers).
   * `commit_steps(p jsonb)` takes an array of `commit_step` payloads and applies them in order in one
   * transaction, so the commits that queued behind one another share one flush and one hold of the run row.
   * The client (`src/commit/commit-batcher.ts`) sends a batch only of commits of one run that arrived while
   * an earlier commit of that run was in flight from the same process: a lone commit (a chain) still goes
   * through `commit_step_notify_after` alone, and a batch never holds two run rows.
   * - Each element is exactly `commit_step(element)`: the same checks, effects and answer, in array order, as
   *   if committed one after another (duplicates, rejections after a cancel, a strand's next lease).
   * - The item rows of the batch are locked first, in key order, before any run row: the order every commit
   *   and claim takes (items, then the run), so a batch cannot deadlock with them.
   * - The feed notices are collected for the whole batch as `commit_step_notify_after` collects them.
   * - An error raised by one element rolls the whole batch back; the client then commits each step alone.
   * - Items the batch's commits insert ready take consecutive fair tags (0019: the next items one
   *   transaction inserts for a run), as a fan-out's successors do.
   * Answer: `{ "results": [<commit_step answer>...], "feedNotices": [...] }`.
   */
  '0023_commit_batches': {
    up: `
create or replace function "{{schema}}".commit_steps(p jsonb) returns jsonb language plpgsql as $$
declare
  v_results jsonb := '[]'::jsonb;
  v_run text;
  v_item text;
  x jsonb;
begin
  perform set_config('floxide.feed_defer', 'on', true);
  perform set_config('floxide.feed_notices', '', true);
  -- One primary-key lookup per item (never a join the planner could turn into a scan of every item).
  for v_run, v_item in select e->'item'->>'runId', e->'item'->>'itemId' from jsonb_array_elements(p) as e
      order by e->'item'->>'runId' collate "C", e->'item'->>'itemId' collate "C" loop
    perform 1 from "{{schema}}".work_items where run_id = v_run and item_id = v_item for update;
  end loop;
  for x in select value from jsonb_array_elements(p) loop
    v_results := v_results || jsonb_build_array("{{schema}}".commit_step(x));
  end loop;
  perform set_config('floxide.feed_defer', '', true);
  return jsonb_build_object('results', v_results, 'feedNotices',
    coalesce(nullif(current_setting('floxide.feed_notices', true), '')::jsonb, '[]'::jsonb));
end $$;
`,
    down: `
drop function if exists "{{schema}}".commit_steps(jsonb);
`,
  },
  /**
   * Migration 0024_strand_lease_on_insert.
   * A strand's next item is inserted already leased, and the commit writes its run row and events once.
   *
   * `{{schema}}` stands for the schema name (see migration-provider.ts).
   * Defines: commit_step.
   *
   * @remarks
   * `commit_step` of `0012_durable_waits.sql` (with the strand continuation of `0010_strands`), changed only
   * on a chain step's hot path: an `advance` that asks for a strand (`p.strand`), in a run that is running,
   * not past its deadline, whose successors are due now. There the first successor is inserted straight in
   * the `leased` state (token, worker, lease deadline) instead of inserted ready and then updated to leased:
   * one row version and one set of index entries instead of two, and no fair tag (`0019_fair_share`: an item
   * inserted leased takes none, as a delayed one; a lease that lapses makes it claimable like any untagged
   * item). Its `step.started` event goes in the same insert as the step's `step.committed` (one run of the
   * statement-level feed trigger instead of two), and the run row is updated once (`event_seq` included).
   * A commit that leased its successor and queued no other item sends no work NOTIFY: nothing new is
   * claimable (with a lease call waiting, every chain commit used to notify, which serialises commits behind
   * the NOTIFY lock and wakes every listener of the database).
   * Everything else is 0012's: the checks and their order, the answers, the other outcomes, and the strand
   * continuation through a fired join or a successor that existed already (a replayed commit), which still
   * leases by update (`for update skip locked`, ready and visible).
   */
  '0024_strand_lease_on_insert': {
    up: `
create or replace function "{{schema}}".commit_step(p jsonb) returns jsonb language plpgsql as $$
declare
  v_lease jsonb := p->'item';
  v_run_id text := v_lease->>'runId';
  v_item_id text := v_lease->>'itemId';
  v_node text := v_lease->>'node';
  v_attempt integer := (v_lease->>'attempt')::integer;
  v_at bigint := (p->>'at')::bigint;
  o jsonb := p->'outcome';
  v_kind text := o->>'kind';
  v_duration double precision := coalesce((o->>'durationMs')::double precision, 0);
  v_now bigint := "{{schema}}".now_ms();
  v_run "{{schema}}".runs%rowtype;
  v_item "{{schema}}".work_items%rowtype;
  v_has_item boolean;
  v_seq bigint;
  v_added integer := 0;
  v_n integer;
  v_wake bigint;
  -- [durable timers] When this advance's successors are due: now, after delayMs, or at dueAt.
  v_timer_at bigint;
  v_join_id text;
  v_join_input jsonb;
  v_why text;
  v_error jsonb;
  v_queue text;
  x jsonb;
  -- [strand on insert] Whether this commit leases its first successor as it inserts it, and that item.
  v_lease_first boolean;
  v_next "{{schema}}".work_items%rowtype;
  v_started boolean := false;
begin
  select * into v_item from "{{schema}}".work_items where run_id = v_run_id and item_id = v_item_id for update;
  v_has_item := found;
  if v_has_item and (v_item.attempt > v_attempt
      or (v_item.attempt = v_attempt and v_item.status in ('completed', 'failed', 'dead'))) then
    return jsonb_build_object('status', 'duplicate');
  end if;
  select * into v_run from "{{schema}}".runs where run_id = v_run_id for update;
  if not found then return jsonb_build_object('status', 'rejected', 'runStatus', 'cancelled'); end if;
  if v_run.status in ('completed', 'failed', 'cancelled') then
    return jsonb_build_object('status', 'rejected', 'runStatus', v_run.status);
  end if;
  v_why := "{{schema}}".run_corruption(v_run);
  if v_why is null then v_why := "{{schema}}".join_arrivals_corruption(v_run_id, o->'joins'); end if;
  if v_why is not null then
    -- Nothing of the step is applied: the run fails, and the item waits (parked) for a retryFailed.
    v_error := "{{schema}}".fail_corrupt_run(v_run_id, v_why, v_item_id, v_node, v_attempt);
    update "{{schema}}".work_items set queue_state = 'parked', status = 'pending', lease_token = null, worker_id = null
    where run_id = v_run_id and item_id = v_item_id and queue_state <> 'done';
    return jsonb_build_object('status', 'corrupt', 'error', v_error);
  end if;
  -- Successors of a paused run wait outside the claim index until it is resumed.
  v_queue := case when v_run.status = 'paused' then 'parked' else 'ready' end;
  v_timer_at := case when v_kind <> 'advance' then v_now
    when o ? 'dueAt' then greatest(v_now, (o->>'dueAt')::bigint)
    else v_now + greatest(coalesce((o->>'delayMs')::bigint, 0), 0) end;
  if jsonb_typeof(p->'context') = 'object' and jsonb_array_length(coalesce(p->'context'->'fields', '[]'::jsonb)) > 0 then
    if "{{schema}}".apply_context_fields(v_run_id, p->'context'->'fields') = 'conflict' then
      return jsonb_build_object('status', 'conflict');
    end if;
    v_run.context_version := v_run.context_version + 1;
  end if;
  if not v_has_item then
    -- Committed under a lease this queue never handed out (a tool replaying a step): keep its state anyway.
    insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
    values (v_run_id, v_item_id, v_attempt, v_node, v_lease, 'running', 'done', v_now);
  end if;
  v_seq := v_run.event_seq;

  if v_kind = 'advance' then
    update "{{schema}}".work_items set status = 'completed', queue_state = 'done', lease_token = null, worker_id = null,
      attempts = greatest(attempts, v_attempt)
    where run_id = v_run_id and item_id = v_item_id;
    v_run.completed := v_run.completed + 1;
    v_seq := v_seq + 1;
    -- coalesce: a commit without a strand (p->'strand' absent) makes the test null, and a null here would
    -- keep the first successor out of the insert below.
    v_lease_first := coalesce(not (o ? 'output') and jsonb_typeof(p->'strand') = 'object'
      and v_run.status = 'running' and coalesce(v_run.deadline_at > v_now, true) and v_timer_at <= v_now
      and jsonb_typeof(o->'successors'->0) = 'object', false);
    if v_lease_first then
      -- [strand on insert] The first successor leased to the committing worker as it is inserted; its
      -- step.started event joins the step.committed one below. An item that existed already (a replay)
      -- inserts nothing here: the continuation at the end then tries it the old way.
      x := o->'successors'->0;
      insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at,
        lease_token, worker_id, attempts)
      values (x->>'runId', x->>'itemId', (x->>'attempt')::integer, x->>'node', x, 'running', 'leased',
        v_now + (p->'strand'->>'leaseMs')::bigint, gen_random_uuid()::text, p->'strand'->>'workerId',
        greatest((x->>'attempt')::integer, 0))
      on conflict (run_id, item_id) do nothing
      returning * into v_next;
      v_started := found;
    end if;
    if v_started then
      insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt)
      values (v_run_id, v_seq, v_at, 'step.committed', v_item_id, v_node, v_attempt),
        (v_run_id, v_seq + 1, v_now, 'step.started', v_next.item_id, v_next.node, v_next.attempt);
      v_seq := v_seq + 1;
    else
      insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt)
      values (v_run_id, v_seq, v_at, 'step.committed', v_item_id, v_node, v_attempt);
    end if;
    if o ? 'output' then
      -- First terminal output wins; the run is finished, so nothing else of this step matters.
      v_run.output := coalesce(o->'output'->'value', 'null'::jsonb);
      v_run.status := 'completed';
      v_run.finished_at := v_now;
      v_seq := v_seq + 1;
      insert into "{{schema}}".events (run_id, seq, at, type, status, error)
      values (v_run_id, v_seq, v_at, 'run.status', 'completed', v_run.error);
      update "{{schema}}".work_items w set queue_state = 'done', lease_token = null, worker_id = null
      where (w.run_id, w.item_id) in (select run_id, item_id from "{{schema}}".work_items
        where run_id = v_run_id and queue_state <> 'done' for update skip locked);
    else
      insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
      select t.e->>'runId', t.e->>'itemId', (t.e->>'attempt')::integer, t.e->>'node', t.e, 'pending', v_queue, v_timer_at
      from jsonb_array_elements(coalesce(o->'successors', '[]'::jsonb)) with ordinality as t(e, i)
      where not (v_lease_first and t.i = 1)
      on conflict (run_id, item_id) do nothing;
      get diagnostics v_n = row_count;
      v_added := v_added + v_n;
      for x in select value from jsonb_array_elements(coalesce(o->'joins', '[]'::jsonb)) loop
        v_join_id := x->'joinItem'->>'itemId';
        v_join_input := "{{schema}}".record_join_arrival(v_run_id, x);
        if v_join_input is not null then
          insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
          values (v_run_id, v_join_id, (x->'joinItem'->>'attempt')::integer, x->'joinItem'->>'node',
            (x->'joinItem') || jsonb_build_object('input', v_join_input), 'pending', v_queue, v_timer_at)
          on conflict (run_id, item_id) do nothing;
          get diagnostics v_n = row_count;
          v_added := v_added + v_n;
        end if;
      end loop;
    end if;
    if v_added > 0 then v_wake := v_timer_at; end if;
  elsif v_kind = 'retry' then
    x := o->'retryItem';
    v_wake := v_now + greatest(coalesce((o->>'delayMs')::bigint, 0), 0);
    update "{{schema}}".work_items set attempt = (x->>'attempt')::integer, item = x,
      status = case when v_wake > v_now then 'waiting-retry' else 'pending' end, queue_state = v_queue,
      visible_at = v_wake, lease_token = null, worker_id = null, attempts = greatest(attempts, v_attempt),
      last_error = o->'error'
    where run_id = v_run_id and item_id = v_item_id;
    v_run.retries := v_run.retries + 1;
    insert into "{{schema}}".errors (run_id, item_id, node, attempt, error, at)
    values (v_run_id, v_item_id, v_node, v_attempt, o->'error', v_at);
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt, error)
    values (v_run_id, v_seq, v_at, 'step.retrying', v_item_id, v_node, v_attempt, o->'error');
  else
    v_run.failed := v_run.failed + 1;
    insert into "{{schema}}".errors (run_id, item_id, node, attempt, error, at)
    values (v_run_id, v_item_id, v_node, v_attempt, o->'error', v_at);
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt, error)
    values (v_run_id, v_seq, v_at, 'step.failed', v_item_id, v_node, v_attempt, o->'error');
    if jsonb_array_length(coalesce(o->'fallback', '[]'::jsonb)) > 0 then
      update "{{schema}}".work_items set status = 'failed', queue_state = 'done', lease_token = null, worker_id = null,
        attempts = greatest(attempts, v_attempt), last_error = o->'error'
      where run_id = v_run_id and item_id = v_item_id;
      insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
      select t.e->>'runId', t.e->>'itemId', (t.e->>'attempt')::integer, t.e->>'node', t.e, 'pending', v_queue, v_now
      from jsonb_array_elements(o->'fallback') as t(e)
      on conflict (run_id, item_id) do nothing;
      get diagnostics v_n = row_count;
      v_added := v_added + v_n;
      if v_added > 0 then v_wake := v_now; end if;
    else
      update "{{schema}}".work_items set status = 'dead', queue_state = 'done', lease_token = null, worker_id = null,
        attempts = greatest(attempts, v_attempt), last_error = o->'error'
      where run_id = v_run_id and item_id = v_item_id;
      -- Other queued items of a failed run wait, parked, for a later retryFailed (SKIP LOCKED: a claim or
      -- release holding one re-reads the run and parks it itself).
      update "{{schema}}".work_items w set queue_state = 'parked'
      where (w.run_id, w.item_id) in (select run_id, item_id from "{{schema}}".work_items
        where run_id = v_run_id and queue_state = 'ready' for update skip locked);
      v_run.status := 'failed';
      v_run.error := o->'error';
      v_run.finished_at := v_now;
      v_seq := v_seq + 1;
      insert into "{{schema}}".events (run_id, seq, at, type, status, error)
      values (v_run_id, v_seq, v_at, 'run.status', 'failed', v_run.error);
    end if;
  end if;

  if v_kind <> 'retry' then
    insert into "{{schema}}".node_timings as t (run_id, node, count, total_ms, max_ms)
    values (v_run_id, v_node, 1, v_duration, v_duration)
    on conflict (run_id, node) do update set count = t.count + 1, total_ms = t.total_ms + excluded.total_ms,
      max_ms = greatest(t.max_ms, excluded.max_ms);
  end if;

  if v_run.status in ('queued', 'running', 'paused') and not exists (
      select 1 from "{{schema}}".work_items where run_id = v_run_id and queue_state <> 'done') then
    v_run.status := 'failed';
    v_run.error := '{"name":"NoTerminalOutputError","code":"NO_TERMINAL_OUTPUT","message":"The run consumed its last work item without reaching a terminal node"}'::jsonb;
    v_run.finished_at := v_now;
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, status, error)
    values (v_run_id, v_seq, v_at, 'run.status', 'failed', v_run.error);
  end if;

  update "{{schema}}".runs set status = v_run.status, output = v_run.output, error = v_run.error,
    finished_at = v_run.finished_at, context = v_run.context, context_version = v_run.context_version,
    total_items = total_items + v_added + (case when v_started then 1 else 0 end), completed = v_run.completed,
    failed = v_run.failed, retries = v_run.retries, event_seq = v_seq,
    waiting_until = case when v_timer_at > v_now and v_added > 0 then v_timer_at end
  where run_id = v_run_id;
  -- NOTIFY serialises committing transactions (a database-wide lock held through the WAL flush), so it is
  -- sent only while a lease call may be waiting; the shared lock pairs with register_waiter's exclusive one.
  if v_wake is not null and v_run.status = 'running' then
    perform pg_advisory_xact_lock_shared(hashtext('floxide_waiters:{{schema}}'), 1);
    if exists (select 1 from "{{schema}}".waiters where idle_until >= v_now) then
      perform pg_notify('floxide_{{schema}}', v_wake::text);
    end if;
  end if;
  if v_started then
    return jsonb_build_object('status', 'committed', 'runStatus', v_run.status, 'next',
      jsonb_build_object('item', v_next.item, 'token', v_next.lease_token, 'expiresAt', v_next.visible_at));
  end if;
  if v_kind = 'advance' and jsonb_typeof(p->'strand') = 'object' and v_run.status = 'running'
      and coalesce(v_run.deadline_at > v_now, true) then
    declare
      v_cand text;
    begin
      foreach v_cand in array array_remove(array[o->'successors'->0->>'itemId'] || array(
          select t.e->'joinItem'->>'itemId' from jsonb_array_elements(coalesce(o->'joins', '[]'::jsonb)) as t(e)), null)
      loop
        perform 1 from "{{schema}}".work_items where run_id = v_run_id and item_id = v_cand
          and queue_state = 'ready' and visible_at <= v_now for update skip locked;
        if found then
          update "{{schema}}".work_items set queue_state = 'leased', status = 'running',
            lease_token = gen_random_uuid()::text, worker_id = p->'strand'->>'workerId',
            visible_at = v_now + (p->'strand'->>'leaseMs')::bigint, attempts = greatest(attempts, attempt)
          where run_id = v_run_id and item_id = v_cand
          returning * into v_next;
          v_seq := v_seq + 1;
          insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt)
          values (v_run_id, v_seq, v_now, 'step.started', v_cand, v_next.node, v_next.attempt);
          update "{{schema}}".runs set event_seq = v_seq where run_id = v_run_id;
          return jsonb_build_object('status', 'committed', 'runStatus', v_run.status, 'next',
            jsonb_build_object('item', v_next.item, 'token', v_next.lease_token, 'expiresAt', v_next.visible_at));
        end if;
      end loop;
    end;
  end if;
  return jsonb_build_object('status', 'committed', 'runStatus', v_run.status);
end $$;

`,
  },
};
