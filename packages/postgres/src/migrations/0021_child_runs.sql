--- Migration 0021_child_runs.
--- Child runs: a run started by a `subflow` node on a distributed worker records its parent.
---
--- `{{schema}}` stands for the schema name (see migration-provider.ts).
--- Defines: start_run, run_json.
---
--- @remarks
--- - `runs.parent_run_id`: the parent's run id (null for a run started any other way). Children are found
---   by their ids (`<parent run id>/<item id>/<attempt>`, through the run-id index), so no index here.
--- - `start_run` (0002's) stores `parentRunId`; `run_json` (0017's) reports it.

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
