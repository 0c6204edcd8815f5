import { commitFunctionV4Sql } from './commit-function-v4-sql.js';
import { queueFunctionsV2Sql } from './queue-functions-v2-sql.js';
import { replaceSqlBlock } from './replace-sql-block.js';

/** 0002's run row lock in `commit_step`: every commit of a run excluded every other for its whole length. */
function exclusiveRunLock(s: string): string {
  return `  select * into v_run from ${s}.runs where run_id = v_run_id for update;\n`;
}

/**
 * 0009's: a commit that may finish the run (a terminal output, a failure without fallback) still takes the
 * run row exclusively and waits for the commits in flight; every other commit shares it (`FOR KEY SHARE`,
 * which a sibling commit does not wait for, but pause, resume, retryFailed and cancel — `FOR UPDATE` — do).
 */
function sharedRunLock(s: string): string {
  return `  if (v_kind = 'advance' and o ? 'output')
      or (v_kind not in ('advance', 'retry') and jsonb_array_length(coalesce(o->'fallback', '[]'::jsonb)) = 0) then
    select * into v_run from ${s}.runs where run_id = v_run_id for update;
  else
    select * into v_run from ${s}.runs where run_id = v_run_id for key share;
  end if;
  v_orig := v_run;
`;
}

/** Events written before the run's counter is taken carry provisional numbers, unique across the schema. */
function provisionalSeq(s: string): string {
  return `  -- Provisional, negative event numbers (at most 999 per commit), renumbered once the run's counter is
  -- taken at the end: the body of the commit runs beside its siblings'.
  v_base := -1000 * nextval('${s}.commit_event_batches');
  v_seq := v_base;
`;
}

/** 0002's late section starts with the node timings, the first write to a row every sibling writes. */
const TIMINGS_START = `  if v_kind <> 'retry' then
    insert into `;

/** 0002's join loop: each arrival updates its join's header row, one row every branch of the join writes. */
const JOIN_LOOP = `      for x in select value from jsonb_array_elements(coalesce(o->'joins', '[]'::jsonb)) loop
`;

/** Join arrivals take the run's turn before their header rows: one queue per run, not one more per join. */
function joinTurn(s: string): string {
  return `      if jsonb_array_length(coalesce(o->'joins', '[]'::jsonb)) > 0 then
        perform 1 from ${s}.runs where run_id = v_run_id for no key update;
      end if;
`;
}

/** The run row's update lock first: siblings queue here, for the few statements left, not for the whole commit. */
function lateLock(s: string): string {
  return `  -- From here to the end siblings take turns (the run row's update lock; pause and cancel wait for it too).
  perform 1 from ${s}.runs where run_id = v_run_id for no key update;
`;
}

/** 0002's run row write: absolute values read at the start, valid only while no sibling could commit. */
function absoluteRunWrite(s: string): string {
  return `  update ${s}.runs set status = v_run.status, output = v_run.output, error = v_run.error,
    finished_at = v_run.finished_at, context = v_run.context, context_version = v_run.context_version,
    total_items = total_items + v_added, completed = v_run.completed, failed = v_run.failed,
    retries = v_run.retries, event_seq = v_seq
  where run_id = v_run_id;
`;
}

/** 0009's: counters added, the final fields written only by the commit that changed the status. */
function relativeRunWrite(s: string): string {
  return `  v_changed := v_run.status is distinct from v_orig.status;
  update ${s}.runs r set status = case when v_changed then v_run.status else r.status end,
    output = case when v_changed then v_run.output else r.output end,
    error = case when v_changed then v_run.error else r.error end,
    finished_at = case when v_changed then v_run.finished_at else r.finished_at end,
    context_version = r.context_version + (v_run.context_version - v_orig.context_version),
    total_items = r.total_items + v_added, completed = r.completed + (v_run.completed - v_orig.completed),
    failed = r.failed + (v_run.failed - v_orig.failed), retries = r.retries + (v_run.retries - v_orig.retries),
    event_seq = r.event_seq + (v_seq - v_base)
  where r.run_id = v_run_id
  returning r.event_seq into v_end;
  -- The step's events take the run's next numbers, in the order the commit wrote them.
  update ${s}.events set seq = v_end - (v_seq - v_base) + (seq - v_base)
  where run_id = v_run_id and seq > v_base and seq <= v_seq;
`;
}

/** `commit_steps`: a batch of step commits in one transaction; answers in the order of the steps given. */
function commitStepsSql(s: string): string {
  return `create or replace function ${s}.commit_steps(p jsonb) returns jsonb language plpgsql as $$
declare
  x record;
  v_answers jsonb := '{}'::jsonb;
  v_answer jsonb;
begin
  -- Items before runs, every item first (one primary-key probe each): a step waiting for its item never
  -- holds another step's run row.
  for x in select t.value as step from jsonb_array_elements(p) as t(value)
      order by t.value->'item'->>'runId' collate "C", t.value->'item'->>'itemId' collate "C" loop
    perform 1 from ${s}.work_items where run_id = x.step->'item'->>'runId' and item_id = x.step->'item'->>'itemId'
    for update;
  end loop;
  for x in select t.value as step, t.ord from jsonb_array_elements(p) with ordinality as t(value, ord)
      order by t.value->'item'->>'runId' collate "C", t.value->'item'->>'itemId' collate "C" loop
    begin
      v_answer := ${s}.commit_step(x.step);
    exception when others then
      v_answer := jsonb_build_object('status', 'error', 'code', sqlstate, 'message', sqlerrm);
    end;
    v_answers := v_answers || jsonb_build_object(x.ord::text, v_answer);
  end loop;
  return (select jsonb_agg(v_answers->(i::text) order by i) from generate_series(1, jsonb_array_length(p)) as i);
end $$;
`;
}

/** The `claim_items` function alone out of a script of queue functions (the others stay as they are). */
function claimItemsText(script: string, s: string): string {
  const start = script.indexOf(`create or replace function ${s}.claim_items(`);
  const end = script.indexOf('\nend $$;\n', start);
  if (start < 0 || end < 0) throw new Error('claim_items was not found in the queue functions');
  return script.slice(start, end + '\nend $$;\n'.length);
}

/**
 * SQL of migration `0009_commit_concurrency`: commits of one run's branches no longer take turns on the run
 * row for their whole length, and claims no longer wait for them.
 *
 * @remarks
 * Until now `commit_step` locked the run row `FOR UPDATE` first (it keeps the run's event numbering and
 * counters) and `claim_items` did too, so every commit and claim of a run waited for the previous one to
 * end, WAL flush included: a wide fan-out ran at one commit per flush. Now:
 * - A commit that cannot finish the run takes the run row `FOR KEY SHARE`: sibling commits do not conflict,
 *   while pause, resume, retryFailed and cancel (`FOR UPDATE`) wait for every commit in flight and block new
 *   ones — once `cancel` returns no commit of the run takes effect, and nothing is enqueued ready while the
 *   run is paused. A commit that may finish the run (terminal output, failure without fallback) still takes
 *   it `FOR UPDATE`, so nothing commits beside or after a run's end as before.
 * - Events are written with provisional numbers; the last few statements — join arrivals, node timings, the drained-run
 *   check, the counters (now added, not overwritten), the event renumbering — run under the row's update
 *   lock (`FOR NO KEY UPDATE`, compatible with the shares), so a run's `seq` stays dense and in commit order.
 * - `commit_steps(p jsonb)` commits several steps in one transaction (one round trip, one WAL flush): it
 *   locks every item row first, in `(run_id, item_id)` order, then runs `commit_step` for each in that order
 *   (run rows in run-id order, as claims take them), each in a subtransaction of its own, so one step's
 *   error is that step's answer alone. The backend sends the commits that arrive while others are in
 *   flight as one such batch (see `CommitBatcher`).
 * - `claim_items` locks the run rows `FOR NO KEY UPDATE` (it numbers `step.started` events): it waits for a
 *   commit's last statements, never for its body.
 * Lock order is unchanged: the item row, then the run row (a join's header row only under the run's update
 * lock).
 * Built from the 0005 `commit_step` and the 0002 `claim_items` by replacing those blocks.
 */
export function commitConcurrencySql(schema: string): string {
  const s = `"${schema}"`;
  let commit = commitFunctionV4Sql(schema);
  commit = replaceSqlBlock(
    commit,
    '  v_run ${s}.runs%rowtype;\n'.replace('${s}', s),
    `  v_run ${s}.runs%rowtype;\n  v_orig ${s}.runs%rowtype;\n  v_base bigint;\n  v_end bigint;\n  v_changed boolean;\n`,
    'commit_step 0005: the declarations',
  );
  commit = replaceSqlBlock(commit, exclusiveRunLock(s), sharedRunLock(s), 'commit_step 0005: the run lock');
  commit = replaceSqlBlock(
    commit,
    '  v_seq := v_run.event_seq;\n',
    provisionalSeq(s),
    'commit_step 0005: the event numbering',
  );
  commit = replaceSqlBlock(
    commit,
    TIMINGS_START,
    lateLock(s) + TIMINGS_START,
    'commit_step 0005: the node timings',
  );
  commit = replaceSqlBlock(commit, JOIN_LOOP, joinTurn(s) + JOIN_LOOP, 'commit_step 0005: the join arrivals');
  commit = replaceSqlBlock(
    commit,
    absoluteRunWrite(s),
    relativeRunWrite(s),
    'commit_step 0005: the run write',
  );
  const queue = replaceSqlBlock(
    claimItemsText(queueFunctionsV2Sql(schema), s),
    `    perform 1 from ${s}.runs where run_id = any(v_runs) order by run_id for update;\n`,
    `    perform 1 from ${s}.runs where run_id = any(v_runs) order by run_id for no key update;\n`,
    'claim_items 0002: the run locks',
  );
  return `
create sequence if not exists ${s}.commit_event_batches;
${queue}
${commit}
${commitStepsSql(s)}`;
}
