import { notifyChannel } from '../notify-channel.js';

/**
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
 */
export function runFunctionsV2Sql(schema: string): string {
  const s = `"${schema}"`;
  const channel = notifyChannel(schema);
  return `
create or replace function ${s}.start_run(p jsonb) returns jsonb language plpgsql as $$
declare
  v_run ${s}.runs%rowtype;
  v_item jsonb := p->'startItem';
  v_now bigint := ${s}.now_ms();
begin
  insert into ${s}.runs (run_id, workflow, version, status, input, created_at, deadline_at, context, total_items,
    has_context)
  values (p->>'runId', p->>'workflow', (p->>'version')::integer, 'queued', p->'input', (p->>'createdAt')::bigint,
    (p->>'deadlineAt')::bigint, coalesce(p->'context', 'null'::jsonb), 1, jsonb_typeof(p->'context') = 'object')
  on conflict (run_id) do nothing
  returning * into v_run;
  if not found then
    select * into v_run from ${s}.runs where run_id = p->>'runId';
    return jsonb_build_object('created', false, 'run', ${s}.run_json(v_run));
  end if;
  insert into ${s}.work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
  values (v_item->>'runId', v_item->>'itemId', (v_item->>'attempt')::integer, v_item->>'node', v_item, 'pending',
    'ready', v_now)
  on conflict (run_id, item_id) do nothing;
  perform ${s}.add_event(v_run.run_id, (p->>'createdAt')::bigint, 'run.status', 'queued', null, null, null, null);
  perform pg_notify('${channel}', v_now::text);
  return jsonb_build_object('created', true, 'run', ${s}.run_json(v_run));
end $$;

create or replace function ${s}.control_run(p_run text, p_action text, p_at bigint) returns jsonb
language plpgsql as $$
declare
  v_run ${s}.runs%rowtype;
  v_new text;
  v_why text;
  v_error jsonb;
  v_now bigint := ${s}.now_ms();
begin
  select * into v_run from ${s}.runs where run_id = p_run for update;
  if not found then return jsonb_build_object('error', 'RUN_NOT_FOUND'); end if;
  v_why := ${s}.run_corruption(v_run);
  if v_why is not null and p_action <> 'cancel'
      and v_run.status not in ('completed', 'cancelled') then
    v_error := ${s}.fail_corrupt_run(p_run, v_why, null, null, null);
    select * into v_run from ${s}.runs where run_id = p_run;
    return jsonb_build_object('run', ${s}.run_json(v_run), 'corrupt', v_error);
  end if;
  if p_action = 'pause' and v_run.status in ('queued', 'running') then v_new := 'paused';
  elsif p_action = 'resume' and v_run.status = 'paused' then v_new := 'running';
  elsif p_action = 'cancel' and v_run.status not in ('completed', 'failed', 'cancelled') then v_new := 'cancelled';
  elsif p_action = 'retryFailed' and v_run.status = 'failed' then v_new := 'running';
  else return jsonb_build_object('error', 'RUN_STATE', 'status', v_run.status);
  end if;
  if p_action = 'retryFailed' and not exists (select 1 from ${s}.work_items where run_id = p_run
      and (status = 'dead' or queue_state <> 'done')) then
    return jsonb_build_object('error', 'RUN_STATE', 'status', v_run.status, 'reason', 'no failed items');
  end if;

  if v_new = 'cancelled' then
    -- Rows locked right now are skipped: their claim, release or commit re-reads the run and drops them.
    update ${s}.work_items w set queue_state = 'done', lease_token = null, worker_id = null
    where (w.run_id, w.item_id) in (select run_id, item_id from ${s}.work_items
      where run_id = p_run and queue_state <> 'done' for update skip locked);
    update ${s}.runs set status = v_new, finished_at = v_now, error = jsonb_build_object('name', 'CancelledError',
      'code', 'CANCELLED', 'message', 'Run ' || p_run || ' was cancelled') where run_id = p_run;
  elsif v_new = 'paused' then
    -- The backlog leaves the claim index; a claim or release holding one of these rows parks it itself.
    update ${s}.work_items w set queue_state = 'parked'
    where (w.run_id, w.item_id) in (select run_id, item_id from ${s}.work_items
      where run_id = p_run and queue_state = 'ready' for update skip locked);
    update ${s}.runs set status = v_new where run_id = p_run;
  elsif p_action = 'retryFailed' then
    update ${s}.work_items set attempt = attempt + 1,
      item = case when jsonb_typeof(item) = 'object' then jsonb_set(item, '{attempt}', to_jsonb(attempt + 1))
        else item end,
      status = 'pending', queue_state = 'ready', visible_at = v_now, lease_token = null, worker_id = null
    where run_id = p_run and status = 'dead';
    update ${s}.work_items set queue_state = 'ready' where run_id = p_run and queue_state = 'parked';
    update ${s}.runs set status = v_new, error = null, finished_at = null where run_id = p_run;
  else
    -- Resume: parked items keep their visible_at, so a delayed retry still waits out its delay.
    update ${s}.work_items set queue_state = 'ready' where run_id = p_run and queue_state = 'parked';
    update ${s}.runs set status = v_new where run_id = p_run;
  end if;
  perform ${s}.add_event(p_run, p_at, 'run.status', v_new, null, null, null,
    (select error from ${s}.runs where run_id = p_run));
  if v_new = 'running' then perform pg_notify('${channel}', v_now::text); end if;
  select * into v_run from ${s}.runs where run_id = p_run;
  return jsonb_build_object('run', ${s}.run_json(v_run));
end $$;

create or replace function ${s}.fail_run(p_run text, p_error jsonb, p_at bigint) returns void language plpgsql as $$
declare
  v_status text;
  v_now bigint := ${s}.now_ms();
begin
  select status into v_status from ${s}.runs where run_id = p_run for update;
  if v_status is null or v_status in ('completed', 'failed', 'cancelled') then return; end if;
  update ${s}.runs set status = 'failed', error = p_error, finished_at = v_now where run_id = p_run;
  update ${s}.work_items w set queue_state = 'parked'
  where (w.run_id, w.item_id) in (select run_id, item_id from ${s}.work_items
    where run_id = p_run and queue_state = 'ready' for update skip locked);
  insert into ${s}.errors (run_id, item_id, node, attempt, error, at) values (p_run, '', '', 0, p_error, p_at);
  perform ${s}.add_event(p_run, p_at, 'run.status', 'failed', null, null, null, p_error);
end $$;

-- Deletes up to p_limit runs that finished more than p_age_ms ago (database clock), with everything they
-- own. Item rows are locked before run rows, the order commits and claims use, so retention never holds a
-- run row while it waits for an item (which deadlocked with a commit holding the item).
create or replace function ${s}.delete_old_runs(p_age_ms bigint, p_limit integer) returns integer
language plpgsql as $$
declare
  v_before bigint := ${s}.now_ms() - greatest(p_age_ms, 0);
  v_candidates text[];
  v_ids text[];
begin
  select array_agg(run_id) into v_candidates from (
    select run_id from ${s}.runs
    where status in ('completed', 'failed', 'cancelled') and finished_at < v_before
    order by finished_at limit p_limit) x;
  if v_candidates is null then return 0; end if;
  perform 1 from ${s}.work_items where run_id = any(v_candidates) order by run_id, item_id for update;
  -- Re-checked under the lock: a run revived (retryFailed) meanwhile is kept.
  select array_agg(run_id) into v_ids from (
    select run_id from ${s}.runs where run_id = any(v_candidates)
      and status in ('completed', 'failed', 'cancelled') and finished_at < v_before
    order by run_id for update skip locked) x;
  if v_ids is null then return 0; end if;
  delete from ${s}.work_items where run_id = any(v_ids);
  delete from ${s}.join_arrivals where run_id = any(v_ids);
  delete from ${s}.errors where run_id = any(v_ids);
  delete from ${s}.events where run_id = any(v_ids);
  delete from ${s}.node_timings where run_id = any(v_ids);
  delete from ${s}.runs where run_id = any(v_ids);
  return cardinality(v_ids);
end $$;
`;
}
