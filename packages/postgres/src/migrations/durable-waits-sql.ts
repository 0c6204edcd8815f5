import { replaceSqlBlock } from './replace-sql-block.js';
import { runFunctionsSql } from './run-functions-sql.js';
import { strandsSql } from './strands-sql.js';

/** `run_json` as migration 0001 created it (the only version so far), cut from that migration's text. */
function releasedRunJson(schema: string): string {
  const all = runFunctionsSql(schema);
  const start = all.indexOf(`create or replace function "${schema}".run_json(`);
  const end = all.indexOf('\n$$;', start);
  if (start < 0 || end < 0) throw new Error('run_json of 0001 was not found');
  return all.slice(start, end + '\n$$;'.length);
}

/** `run_json` reporting `waitingUntil` while the run is unfinished (see `RunInfo.waitingUntil`). */
export function runJsonV2Sql(schema: string): string {
  const deadline = `    || case when r.deadline_at is null then '{}'::jsonb else jsonb_build_object('deadlineAt', r.deadline_at) end`;
  return replaceSqlBlock(
    releasedRunJson(schema),
    deadline,
    `${deadline}
    || case when r.waiting_until is null or r.status not in ('queued', 'running', 'paused') then '{}'::jsonb
      else jsonb_build_object('waitingUntil', r.waiting_until) end`,
    'run_json 0001: the deadline field',
  );
}

/**
 * `commit_step` as migration `0012_durable_waits` replaces it: the function of migration 0010 (0005's
 * with strand continuations, see `strands-sql.ts`) with durable timers. An advance whose outcome carries `delayMs` or `dueAt`
 * (`Transition.next(value, { delayMs })`) inserts its successors and the join item it completes with
 * `visible_at` at the timer's due time on the database clock (never the worker's), wakes lease waiters for
 * that time, and records it in `runs.waiting_until`; every other commit clears that column. Built by
 * replacing blocks of the 0010 text, so parallel changes to other blocks compose.
 */
export function commitFunctionV5Sql(schema: string): string {
  let sql = strandsSql(schema);
  sql = replaceSqlBlock(
    sql,
    `  v_wake bigint;\n`,
    `  v_wake bigint;
  -- [durable timers] When this advance's successors are due: now, after delayMs, or at dueAt.
  v_timer_at bigint;\n`,
    'commit_step 0005: the v_wake declaration',
  );
  sql = replaceSqlBlock(
    sql,
    `  v_queue := case when v_run.status = 'paused' then 'parked' else 'ready' end;\n`,
    `  v_queue := case when v_run.status = 'paused' then 'parked' else 'ready' end;
  v_timer_at := case when v_kind <> 'advance' then v_now
    when o ? 'dueAt' then greatest(v_now, (o->>'dueAt')::bigint)
    else v_now + greatest(coalesce((o->>'delayMs')::bigint, 0), 0) end;\n`,
    'commit_step 0005: the queue state',
  );
  sql = replaceSqlBlock(
    sql,
    `'pending', v_queue, v_now
      from jsonb_array_elements(coalesce(o->'successors', '[]'::jsonb)) as t(e)`,
    `'pending', v_queue, v_timer_at
      from jsonb_array_elements(coalesce(o->'successors', '[]'::jsonb)) as t(e)`,
    'commit_step 0005: the successors insert',
  );
  sql = replaceSqlBlock(
    sql,
    `(x->'joinItem') || jsonb_build_object('input', v_join_input), 'pending', v_queue, v_now)`,
    `(x->'joinItem') || jsonb_build_object('input', v_join_input), 'pending', v_queue, v_timer_at)`,
    'commit_step 0005: the join item insert',
  );
  sql = replaceSqlBlock(
    sql,
    `    if v_added > 0 then v_wake := v_now; end if;
  elsif v_kind = 'retry' then`,
    `    if v_added > 0 then v_wake := v_timer_at; end if;
  elsif v_kind = 'retry' then`,
    'commit_step 0005: the advance wake time',
  );
  return replaceSqlBlock(
    sql,
    `    retries = v_run.retries, event_seq = v_seq\n`,
    `    retries = v_run.retries, event_seq = v_seq,
    waiting_until = case when v_timer_at > v_now and v_added > 0 then v_timer_at end\n`,
    'commit_step 0005: the run update',
  );
}

/**
 * SQL of migration `0012_durable_waits`: the `runs.waiting_until` column, `run_json` reporting it,
 * `commit_step` with durable timers ({@link commitFunctionV5Sql}) and the `schedules` table (cron
 * schedules: the definition as JSON, the latest fired tick).
 */
export function durableWaitsSql(schema: string): string {
  const s = `"${schema}"`;
  return `
alter table ${s}.runs add column if not exists waiting_until bigint;
create table if not exists ${s}.schedules (
  id text collate "C" primary key,
  record jsonb not null,
  last_tick bigint
);
${runJsonV2Sql(schema)}
${commitFunctionV5Sql(schema)}
`;
}
