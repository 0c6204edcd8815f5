import { notifyChannel } from '../notify-channel.js';

/**
 * SQL functions of migration `0001_initial` that create and control runs.
 *
 * @remarks
 * Each backend operation is one function call, so it costs one round trip and holds its row locks only for
 * the time the server needs. Lock order everywhere: work item rows first, then the run row; a function
 * that holds a run row touches other items only with `SKIP LOCKED` (see `commit-function-sql.ts`).
 */
export function runFunctionsSql(schema: string): string {
  const s = `"${schema}"`;
  const channel = notifyChannel(schema);
  return `
create or replace function ${s}.now_ms() returns bigint language sql volatile
as $$ select (extract(epoch from clock_timestamp()) * 1000)::bigint $$;

create or replace function ${s}.run_json(r ${s}.runs) returns jsonb language sql stable as $$
  select jsonb_build_object('runId', r.run_id, 'workflow', r.workflow, 'version', r.version, 'status', r.status,
      'createdAt', r.created_at)
    || case when r.input is null then '{}'::jsonb else jsonb_build_object('input', r.input) end
    || case when r.output is null then '{}'::jsonb else jsonb_build_object('output', r.output) end
    || case when r.error is null then '{}'::jsonb else jsonb_build_object('error', r.error) end
    || case when r.started_at is null then '{}'::jsonb else jsonb_build_object('startedAt', r.started_at) end
    || case when r.finished_at is null then '{}'::jsonb else jsonb_build_object('finishedAt', r.finished_at) end
    || case when r.deadline_at is null then '{}'::jsonb else jsonb_build_object('deadlineAt', r.deadline_at) end
$$;

create or replace function ${s}.event_json(e ${s}.events) returns jsonb language sql stable as $$
  select jsonb_build_object('seq', e.seq, 'runId', e.run_id, 'at', e.at, 'type', e.type)
    || case when e.status is null then '{}'::jsonb else jsonb_build_object('status', e.status) end
    || case when e.item_id is null then '{}'::jsonb else jsonb_build_object('itemId', e.item_id) end
    || case when e.node is null then '{}'::jsonb else jsonb_build_object('node', e.node) end
    || case when e.attempt is null then '{}'::jsonb else jsonb_build_object('attempt', e.attempt) end
    || case when e.error is null then '{}'::jsonb else jsonb_build_object('error', e.error) end
$$;

-- Appends one event with the next per-run sequence number; the caller holds the run row lock.
create or replace function ${s}.add_event(p_run text, p_at bigint, p_type text, p_status text, p_item text,
    p_node text, p_attempt integer, p_error jsonb) returns void language plpgsql as $$
declare v_seq bigint;
begin
  update ${s}.runs set event_seq = event_seq + 1 where run_id = p_run returning event_seq into v_seq;
  if v_seq is not null then
    insert into ${s}.events (run_id, seq, at, type, status, item_id, node, attempt, error)
    values (p_run, v_seq, p_at, p_type, p_status, p_item, p_node, p_attempt, p_error);
  end if;
end $$;

create or replace function ${s}.start_run(p jsonb) returns jsonb language plpgsql as $$
declare
  v_run ${s}.runs%rowtype;
  v_item jsonb := p->'startItem';
  v_now bigint := ${s}.now_ms();
begin
  insert into ${s}.runs (run_id, workflow, version, status, input, created_at, deadline_at, context, total_items)
  values (p->>'runId', p->>'workflow', (p->>'version')::integer, 'queued', p->'input', (p->>'createdAt')::bigint,
    (p->>'deadlineAt')::bigint, coalesce(p->'context', 'null'::jsonb), 1)
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
  v_now bigint := ${s}.now_ms();
begin
  select * into v_run from ${s}.runs where run_id = p_run for update;
  if not found then return jsonb_build_object('error', 'RUN_NOT_FOUND'); end if;
  if p_action = 'pause' and v_run.status in ('queued', 'running') then v_new := 'paused';
  elsif p_action = 'resume' and v_run.status = 'paused' then v_new := 'running';
  elsif p_action = 'cancel' and v_run.status in ('queued', 'running', 'paused') then v_new := 'cancelled';
  elsif p_action = 'retryFailed' and v_run.status = 'failed' then v_new := 'running';
  else return jsonb_build_object('error', 'RUN_STATE', 'status', v_run.status);
  end if;
  if p_action = 'retryFailed' and not exists (select 1 from ${s}.work_items where run_id = p_run
      and (status = 'dead' or queue_state <> 'done')) then
    return jsonb_build_object('error', 'RUN_STATE', 'status', v_run.status, 'reason', 'no failed items');
  end if;

  if v_new = 'cancelled' then
    -- Items being claimed right now are skipped: the claim re-reads the run and drops them.
    update ${s}.work_items w set queue_state = 'done', lease_token = null, worker_id = null
    where (w.run_id, w.item_id) in (select run_id, item_id from ${s}.work_items
      where run_id = p_run and queue_state <> 'done' for update skip locked);
    update ${s}.runs set status = v_new, finished_at = p_at, error = jsonb_build_object('name', 'CancelledError',
      'code', 'CANCELLED', 'message', 'Run ' || p_run || ' was cancelled') where run_id = p_run;
  elsif p_action = 'retryFailed' then
    update ${s}.work_items set attempt = attempt + 1,
      item = jsonb_set(item, '{attempt}', to_jsonb(attempt + 1)), status = 'pending', queue_state = 'ready',
      visible_at = v_now, lease_token = null, worker_id = null
    where run_id = p_run and status = 'dead';
    update ${s}.runs set status = v_new, error = null, finished_at = null where run_id = p_run;
  else
    update ${s}.runs set status = v_new where run_id = p_run;
  end if;
  perform ${s}.add_event(p_run, p_at, 'run.status', v_new, null, null, null,
    (select error from ${s}.runs where run_id = p_run));
  if v_new = 'running' then perform pg_notify('${channel}', v_now::text); end if;
  select * into v_run from ${s}.runs where run_id = p_run;
  return jsonb_build_object('run', ${s}.run_json(v_run));
end $$;

create or replace function ${s}.fail_run(p_run text, p_error jsonb, p_at bigint) returns void language plpgsql as $$
declare v_status text;
begin
  select status into v_status from ${s}.runs where run_id = p_run for update;
  if v_status is null or v_status in ('completed', 'failed', 'cancelled') then return; end if;
  update ${s}.runs set status = 'failed', error = p_error, finished_at = p_at where run_id = p_run;
  insert into ${s}.errors (run_id, item_id, node, attempt, error, at) values (p_run, '', '', 0, p_error, p_at);
  perform ${s}.add_event(p_run, p_at, 'run.status', 'failed', null, null, null, p_error);
end $$;

-- Deletes up to p_limit finished runs that finished before p_before, with everything they own.
create or replace function ${s}.delete_finished_runs(p_before bigint, p_limit integer) returns integer
language plpgsql as $$
declare v_ids text[];
begin
  select array_agg(run_id) into v_ids from (
    select run_id from ${s}.runs
    where status in ('completed', 'failed', 'cancelled') and finished_at < p_before
    order by finished_at limit p_limit for update skip locked) x;
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
