--- Migration 0002_records_parking_deadlines.
--- Corrupt records fail their run, parked backlogs leave the claim index, deadlines fire by database
--- time, retention locks items before runs.
---
--- `{{schema}}` stands for the schema name (see migration-provider.ts).
--- Defines: run_corruption, item_corruption, join_corruption, fail_corrupt_run, expire_runs, start_run,
---   control_run, fail_run, delete_old_runs, claim_items, release_lease, enqueue_items, purge_run,
---   next_wake, commit_step.
---
--- SQL of migration `0002_records_parking_deadlines`, part 1: the table changes and the shared checks.
---
--- @remarks
--- - `runs.has_context` remembers whether the run was started with a context object, so a context that
---   later reads `null` is known to be corrupt (a workflow without a context stores JSON `null`).
--- - `queue_state = 'parked'`: queued items of a paused or failed run. They stay in the open-items index
---   (they are still the run's backlog) but leave the claim index, so claims never walk over them.
--- - `runs_deadline_idx` lets every claim find runs past their deadline with one index probe.
--- - `run_corruption` / `item_corruption` say why a stored row cannot be trusted (null when it can);
---   every function that decides from a row checks it before its first write.
--- - `fail_corrupt_run` / `expire_runs` fail a run for a corrupt record or a passed deadline.
---
--- SQL of migration `0002_records_parking_deadlines`, part 3: the run functions, now with parked items,
--- corrupt-record checks, database-clock finish times and one lock order in retention.
---
--- @remarks
--- - `start_run` records whether the run has a context (`has_context`), so a `null` context is known corrupt.
--- - `control_run` checks the run row before acting: pause, resume and retryFailed of a run whose row is
---   corrupt fail it with `CORRUPT_RECORD` instead (the answer carries `corrupt`). Pause parks the queued
---   items, resume and retryFailed put them back; cancel drops them. Rows locked at that instant are skipped
---   (lock order: items before runs); whoever holds such a row re-reads the run and parks or drops it.
--- - `delete_old_runs` takes the item rows before the run rows, the order every commit uses, and compares
---   `finished_at` with the database clock.
---
--- SQL of migration `0002_records_parking_deadlines`, part 2: the queue functions, now with parked items,
--- corrupt-record checks and deadline expiry.
---
--- @remarks
--- `claim_items` walks only the claim index (`ready` and `leased` items). Whatever it picks it settles under
--- the run row lock: items of runnable runs are leased; a corrupt item or run fails its run
--- (`CORRUPT_RECORD`) before anything is leased; items of paused or failed runs are parked and items of
--- finished or missing runs leave the queue, so an item that reached the index by a race is walked over at
--- most once. Lock order stays items first, then runs in run-id order. At the end the claim fails runs past
--- their deadline (`expire_runs`, never waiting on a lock).
---
--- SQL of `commit_step(p jsonb)` as migration `0002_records_parking_deadlines` replaces it: one step
--- recorded in one transaction and one round trip.
---
--- @remarks
--- `p` is `{ item, token, at, outcome, context? }` (the lease's item, the step outcome as the engine built it,
--- the context update if any). The function follows `Backend.commit` exactly as the memory backend does:
--- 1. lock the item row, answer `duplicate` when this `(itemId, attempt)` was already committed — before
---    touching the run row, so a duplicate never waits on (or deadlocks with) the run;
--- 2. lock the run row: `rejected` for a missing, cancelled or finished run; `conflict` for a stale context;
---    `corrupt` when the run row or the state of a join this step reaches cannot be trusted — then the run
---    is failed with `CORRUPT_RECORD` and nothing of the step is applied (every check precedes every write);
--- 3. apply the outcome (item state, successors, join arrivals, retry item, fallbacks, output, failure,
---    metrics, timings, error records, events) and fail a drained run with `NO_TERMINAL_OUTPUT`;
--- 4. write the run row once and notify idle workers when something became claimable and a lease call may
---    be waiting (a registered waiter, see `register_waiter`).
--- Items other than the committed one are touched only by inserts of new rows or with `SKIP LOCKED`.
--- New items of a paused run are inserted parked (outside the claim index); the queued items of a run that
--- fails are parked. `finished_at` is stamped with the database clock (retention compares with it).

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
drop function if exists "{{schema}}".delete_finished_runs(bigint, integer);