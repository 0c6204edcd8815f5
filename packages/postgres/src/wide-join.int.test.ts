// Wide fan-outs on Postgres (issue 11 §1): every branch arriving at a join used to count and check every
// arrival stored so far, under the run row lock — O(N) per branch, O(N²) per fan-out (about 100 steps/s at
// 100,000 branches). An arrival now reads a bounded number of rows; only the arrival that completes the
// join reads them all (once).
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { advance, startAndLease, stepCommit, testItem, testRun } from '@floxide/conformance';
import type { PostgresBackend } from './postgres-backend.js';
import {
  createTestBackend,
  destroyTestBackend,
  TEST_DATABASE_URL,
} from './test-support/postgres-test-init.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function setup(): Promise<{ backend: PostgresBackend; c: pg.Client; s: string }> {
  const backend = await createTestBackend();
  closers.push(() => destroyTestBackend(backend));
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  closers.push(() => c.end());
  return { backend, c, s: `"${backend.schema}"` };
}

/** An arrival of branch `index` at join `j` of run `runId` (the branch item commits it). */
function arrival(runId: string, index: number, total: number) {
  const joinItem = testItem({ runId, itemId: 'j', node: 'collect' });
  return stepCommit(
    { item: testItem({ runId, itemId: `b${index}`, node: 'work' }), token: 't', workerId: 'w', expiresAt: 0 },
    advance({ joins: [{ joinItem, index, total, value: index }] }),
  );
}

describe('PostgresBackend: a wide join', () => {
  it(
    'an arrival reads a bounded number of rows however many branches arrived before it',
    { timeout: 120_000 },
    async () => {
      const { backend, c, s } = await setup();
      const branches = 20_000;
      await startAndLease(backend, testRun('wide'));
      // 20,000 branches arrived already (written directly: the shape commits leave, header row included).
      await c.query(
        `insert into ${s}.join_arrivals (run_id, join_item_id, idx, total, value)
       select 'wide', 'j', i, $1, to_jsonb(i) from generate_series(0, $2 - 1) as i`,
        [branches + 2, branches],
      );
      await c.query(
        `insert into ${s}.join_arrivals (run_id, join_item_id, idx, total, value) values ('wide', 'j', -1, $1, to_jsonb($2::int))`,
        [branches + 2, branches],
      );
      await c.query('begin');
      try {
        const step = arrival('wide', branches, branches + 2);
        const payload = { item: step.lease.item, token: 't', at: 1, outcome: step.outcome };
        const r = await c.query(`select ${s}.commit_step($1::jsonb) as result`, [JSON.stringify(payload)]);
        expect(r.rows[0].result).toMatchObject({ status: 'committed' });
        const read = await c.query(
          `select coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) as n from pg_stat_xact_user_tables
         where schemaname = $1 and relname = 'join_arrivals'`,
          [backend.schema],
        );
        // Before: a count and two corruption scans of all 20,000 stored arrivals (60,000+ rows).
        expect(Number(read.rows[0].n)).toBeLessThan(100);
      } finally {
        await c.query('rollback');
      }
    },
  );

  it(
    'the last of many arrivals fires the join with every value in branch order, once',
    { timeout: 120_000 },
    async () => {
      const { backend, c, s } = await setup();
      const total = 60;
      const start = await startAndLease(backend, testRun('join'));
      const branches = Array.from({ length: total }, (_, i) =>
        testItem({ runId: 'join', itemId: `b${i}`, node: 'work' }),
      );
      expect((await backend.commit(stepCommit(start, advance({ successors: branches })))).status).toBe(
        'committed',
      );
      // Arrivals in a scrambled order, one of them committed twice (a duplicate changes nothing).
      const order = Array.from({ length: total }, (_, i) => (i * 7) % total);
      for (const i of [...order, order[5] as number]) {
        await backend.commit(arrival('join', i, total));
      }
      const join = await c.query(`select item from ${s}.work_items where run_id = 'join' and item_id = 'j'`);
      expect(join.rows).toHaveLength(1);
      expect(join.rows[0].item.input).toEqual(Array.from({ length: total }, (_, i) => i));
      const left = await c.query(`select count(*)::int as n from ${s}.join_arrivals where run_id = 'join'`);
      expect(left.rows[0].n).toBe(0);
    },
  );
});
