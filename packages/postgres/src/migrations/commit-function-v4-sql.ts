import { commitFunctionV3Sql } from './context-fields-sql.js';
import { replaceSqlBlock } from './replace-sql-block.js';

/** 0002's join check: a corruption scan over every stored arrival of each join the step reaches. */
function scanningJoinCheck(s: string): string {
  return `  if v_why is null then
    select ${s}.join_corruption(v_run_id, j->'joinItem'->>'itemId', (j->>'total')::integer) into v_why
    from jsonb_array_elements(coalesce(o->'joins', '[]'::jsonb)) as t(j)
    where ${s}.join_corruption(v_run_id, j->'joinItem'->>'itemId', (j->>'total')::integer) is not null
    limit 1;
  end if;`;
}

/** 0002's join arrival: insert, then count and aggregate every stored arrival. */
function countingJoinArrival(s: string): string {
  return `        insert into ${s}.join_arrivals (run_id, join_item_id, idx, total, value)
        values (v_run_id, v_join_id, (x->>'index')::integer, (x->>'total')::integer, coalesce(x->'value', 'null'::jsonb))
        on conflict do nothing;
        select count(*), jsonb_agg(value order by idx) into v_n, v_join_input
        from ${s}.join_arrivals where run_id = v_run_id and join_item_id = v_join_id;
        if v_n >= (x->>'total')::integer then`;
}

/** 0002's clean-up after a join fired (record_join_arrival does it now). */
function joinCleanup(s: string): string {
  return `
          -- The values live in the join item now; keeping them would double the storage of large fan-outs.
          delete from ${s}.join_arrivals where run_id = v_run_id and join_item_id = v_join_id;`;
}

/**
 * SQL of `commit_step(p jsonb)` as migration `0005_wide_fanout` replaces it: the function of migration 0004
 * (per-field context commits, see `context-fields-sql.ts`) with join arrivals in constant work per branch —
 * the check before them is `join_arrivals_corruption` and the recording `record_join_arrival` (see
 * `wide-fanout-sql.ts`) — instead of a count and two corruption scans over every stored arrival of the join.
 * Nothing else changed. Built by replacing those blocks, so the released functions' texts stay the source.
 */
export function commitFunctionV4Sql(schema: string): string {
  const s = `"${schema}"`;
  let sql = commitFunctionV3Sql(schema);
  sql = replaceSqlBlock(
    sql,
    scanningJoinCheck(s),
    `  if v_why is null then v_why := ${s}.join_arrivals_corruption(v_run_id, o->'joins'); end if;`,
    'commit_step 0004: the join check',
  );
  sql = replaceSqlBlock(
    sql,
    countingJoinArrival(s),
    `        v_join_input := ${s}.record_join_arrival(v_run_id, x);
        if v_join_input is not null then`,
    'commit_step 0004: the join arrival',
  );
  return replaceSqlBlock(sql, joinCleanup(s), '', 'commit_step 0004: the join clean-up');
}
