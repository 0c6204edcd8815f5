import { commitFunctionV4Sql } from './commit-function-v4-sql.js';
import { replaceSqlBlock } from './replace-sql-block.js';

/** The last statement of the 0005 `commit_step`: the answer of a recorded step. */
const COMMITTED_ANSWER = `  return jsonb_build_object('status', 'committed', 'runStatus', v_run.status);\n`;

/**
 * The strand continuation (`s`: the quoted schema), added just before that answer: when the commit asked
 * for one (`p.strand = { workerId, leaseMs }`), recorded an `advance` and the run is `running` under the
 * run row lock this function took (so a pause or cancel that returned earlier ends the strand here) and
 * not past its deadline (as `claim_items` requires), the run's next item — the first successor, else the
 * first join item among this step's arrivals — is leased to the committing worker exactly as `claim_items` leases it (running, attempt counted, `step.started`)
 * and returned as `next`. A join item inserted by another transaction is taken only with SKIP LOCKED,
 * like every other row this function touches that it did not insert.
 */
function strandBlock(s: string): string {
  return `  if v_kind = 'advance' and jsonb_typeof(p->'strand') = 'object' and v_run.status = 'running'
      and coalesce(v_run.deadline_at > v_now, true) then
    declare
      v_cand text;
      v_next ${s}.work_items%rowtype;
    begin
      foreach v_cand in array array_remove(array[o->'successors'->0->>'itemId'] || array(
          select t.e->'joinItem'->>'itemId' from jsonb_array_elements(coalesce(o->'joins', '[]'::jsonb)) as t(e)), null)
      loop
        perform 1 from ${s}.work_items where run_id = v_run_id and item_id = v_cand
          and queue_state = 'ready' and visible_at <= v_now for update skip locked;
        if found then
          update ${s}.work_items set queue_state = 'leased', status = 'running',
            lease_token = gen_random_uuid()::text, worker_id = p->'strand'->>'workerId',
            visible_at = v_now + (p->'strand'->>'leaseMs')::bigint, attempts = greatest(attempts, attempt)
          where run_id = v_run_id and item_id = v_cand
          returning * into v_next;
          v_seq := v_seq + 1;
          insert into ${s}.events (run_id, seq, at, type, item_id, node, attempt)
          values (v_run_id, v_seq, v_now, 'step.started', v_cand, v_next.node, v_next.attempt);
          update ${s}.runs set event_seq = v_seq where run_id = v_run_id;
          return jsonb_build_object('status', 'committed', 'runStatus', v_run.status, 'next',
            jsonb_build_object('item', v_next.item, 'token', v_next.lease_token, 'expiresAt', v_next.visible_at));
        end if;
      end loop;
    end;
  end if;\n${COMMITTED_ANSWER}`;
}

/**
 * SQL of migration `0010_strands`: `commit_step` of migration 0005 (see `commit-function-v4-sql.ts`) with
 * the strand continuation (see {@link strandBlock}) added at its end. Nothing else changes: a commit
 * without `p.strand` answers exactly as before.
 */
export function strandsSql(schema: string): string {
  return replaceSqlBlock(
    commitFunctionV4Sql(schema),
    COMMITTED_ANSWER,
    strandBlock(`"${schema}"`),
    'commit_step 0005: the committed answer',
  );
}
