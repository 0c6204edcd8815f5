/**
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
 */
export function recordChecksSql(schema: string): string {
  const s = `"${schema}"`;
  return `
alter table ${s}.runs add column has_context boolean;
drop index if exists ${s}.work_items_claim_idx;
create index work_items_ready_idx on ${s}.work_items (visible_at) where queue_state in ('ready', 'leased');
create index runs_deadline_idx on ${s}.runs (deadline_at)
  where deadline_at is not null and status in ('queued', 'running', 'paused');
-- Backlogs of runs paused or failed before this migration leave the claim path too.
update ${s}.work_items w set queue_state = 'parked'
where w.queue_state = 'ready' and exists (
  select 1 from ${s}.runs r where r.run_id = w.run_id and r.status in ('paused', 'failed'));

create or replace function ${s}.run_corruption(r ${s}.runs) returns text language sql immutable as $$
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

create or replace function ${s}.item_corruption(w ${s}.work_items) returns text language sql immutable as $$
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
create or replace function ${s}.join_corruption(p_run text, p_join text, p_total integer) returns text
language sql stable as $$
  select 'the join state of ' || p_join || ' is inconsistent' from ${s}.join_arrivals a
  where a.run_id = p_run and a.join_item_id = p_join
    and (a.total <> p_total or a.idx < 0 or a.idx >= a.total or a.value is null)
  limit 1
$$;

-- Fails a run whose stored record is corrupt (CORRUPT_RECORD). The caller holds the run row lock; queued
-- items are parked (SKIP LOCKED: whoever holds one re-reads the run and parks it) for a later retryFailed.
create or replace function ${s}.fail_corrupt_run(p_run text, p_why text, p_item text, p_node text,
    p_attempt integer) returns jsonb language plpgsql as $$
declare
  v_now bigint := ${s}.now_ms();
  v_error jsonb := jsonb_build_object('name', 'CorruptRecordError', 'code', 'CORRUPT_RECORD',
    'message', 'Run ' || p_run || ' failed: ' || p_why);
begin
  update ${s}.runs set status = 'failed', error = v_error, finished_at = v_now where run_id = p_run;
  update ${s}.work_items w set queue_state = 'parked', lease_token = null, worker_id = null
  where (w.run_id, w.item_id) in (select run_id, item_id from ${s}.work_items
    where run_id = p_run and queue_state = 'ready' for update skip locked);
  insert into ${s}.errors (run_id, item_id, node, attempt, error, at)
  values (p_run, coalesce(p_item, ''), coalesce(p_node, ''), coalesce(p_attempt, 0), v_error, v_now);
  perform ${s}.add_event(p_run, v_now, 'run.status', 'failed', null, null, null, v_error);
  return v_error;
end $$;

-- Fails up to p_max unfinished runs past their deadline (database clock) with DEADLINE_EXCEEDED. Never
-- waits: runs and items locked by others are skipped (their holders, or the next call, see them).
create or replace function ${s}.expire_runs(p_max integer) returns integer language plpgsql as $$
declare
  v_now bigint := ${s}.now_ms();
  v_ids text[];
  v_id text;
  v_error jsonb;
begin
  select array_agg(run_id) into v_ids from (
    select run_id from ${s}.runs
    where deadline_at is not null and deadline_at <= v_now and status in ('queued', 'running', 'paused')
    order by deadline_at limit p_max for update skip locked) x;
  if v_ids is null then return 0; end if;
  foreach v_id in array v_ids loop
    v_error := jsonb_build_object('name', 'DeadlineExceededError', 'code', 'DEADLINE_EXCEEDED',
      'message', 'Run ' || v_id || ' passed its deadline');
    update ${s}.runs set status = 'failed', error = v_error, finished_at = v_now where run_id = v_id;
    update ${s}.work_items w set queue_state = 'parked', lease_token = null, worker_id = null
    where (w.run_id, w.item_id) in (select run_id, item_id from ${s}.work_items
      where run_id = v_id and queue_state = 'ready' for update skip locked);
    insert into ${s}.errors (run_id, item_id, node, attempt, error, at) values (v_id, '', '', 0, v_error, v_now);
    perform ${s}.add_event(v_id, v_now, 'run.status', 'failed', null, null, null, v_error);
  end loop;
  return cardinality(v_ids);
end $$;
`;
}
