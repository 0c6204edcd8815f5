--- Migration 0001_initial.
--- The tables, the run and queue functions and `commit_step` (one step recorded in one transaction).
---
--- `{{schema}}` stands for the schema name (see migration-provider.ts).
--- Defines: now_ms, run_json, event_json, add_event, start_run, control_run, fail_run, delete_finished_runs,
---   claim_items, extend_lease, release_lease, enqueue_items, register_waiter, purge_run, commit_step.
---
--- DDL of the tables and indexes of migration `0001_initial`, for one schema.
---
--- @remarks
--- Times are epoch milliseconds in `bigint` columns, so they compare directly with the engine's timestamps.
--- Identifier columns use the "C" collation: listing orders then match JavaScript's string order.
--- Queue visibility lives in one column, `visible_at`: the ready time of a queued or delayed item and the
--- lease deadline of a leased one, so one partial index serves both "ready" and "lease expired" claims.
---
--- SQL functions of migration `0001_initial` that create and control runs.
---
--- @remarks
--- Each backend operation is one function call, so it costs one round trip and holds its row locks only for
--- the time the server needs. Lock order everywhere: work item rows first, then the run row; a function
--- that holds a run row touches other items only with `SKIP LOCKED` (see `0001_initial.sql`).
---
--- SQL functions of migration `0001_initial` behind the work queue: claim, extend, release, enqueue, purge,
--- waiter registration.
---
--- @remarks
--- `claim_items` locks the chosen items with `FOR UPDATE SKIP LOCKED` (concurrent claims never wait on each
--- other and never get the same item), then locks their runs in run-id order, re-reads their status and only
--- then leases: a run cancelled or paused while the items were being picked is respected. Items first, run
--- second is the order commits use too, so claims and commits cannot deadlock.
---
--- SQL of `commit_step(p jsonb)`: one step recorded in one transaction and one round trip.
---
--- @remarks
--- `p` is `{ item, token, at, outcome, context? }` (the lease's item, the step outcome as the engine built it,
--- the context update if any). The function follows `Backend.commit` exactly as the memory backend does:
--- 1. lock the item row, answer `duplicate` when this `(itemId, attempt)` was already committed — before
---    touching the run row, so a duplicate never waits on (or deadlocks with) the run;
--- 2. lock the run row: `rejected` for a missing, cancelled or finished run; `conflict` for a stale context;
--- 3. apply the outcome (item state, successors, join arrivals, retry item, fallbacks, output, failure,
---    metrics, timings, error records, events) and fail a drained run with `NO_TERMINAL_OUTPUT`;
--- 4. write the run row once and notify idle workers when something became claimable and a lease call may
---    be waiting (a registered waiter, see `register_waiter`).
--- Items other than the committed one are touched only by inserts of new rows or with `SKIP LOCKED`.

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
