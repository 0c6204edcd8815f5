/**
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
export function retentionSql(schema: string): string {
  const s = `"${schema}"`;
  return `
create index if not exists runs_status_finished_idx on ${s}.runs (status, finished_at)
  where status in ('completed', 'failed', 'cancelled');

create or replace function ${s}.delete_expired_runs(p_status text, p_age_ms bigint, p_workflow text,
  p_skip text[], p_limit integer) returns integer
language plpgsql as $$
declare
  v_before bigint := ${s}.now_ms() - greatest(p_age_ms, 0);
  v_candidates text[];
  v_ids text[];
begin
  select array_agg(run_id) into v_candidates from (
    select r.run_id from ${s}.runs r
    where r.status = p_status and r.finished_at < v_before
      and (p_workflow is null or r.workflow = p_workflow)
      and (p_workflow is not null or r.workflow <> all(coalesce(p_skip, array[]::text[])))
    order by r.finished_at limit p_limit) x;
  if v_candidates is null then return 0; end if;
  perform 1 from ${s}.work_items where run_id = any(v_candidates) order by run_id, item_id for update;
  select array_agg(run_id) into v_ids from (
    select run_id from ${s}.runs where run_id = any(v_candidates)
      and status = p_status and finished_at < v_before
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
