// Retention on PostgreSQL: the conformance scenario, plus row counts read straight from the tables.
import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import {
  advance,
  describeRetentionScenarios,
  TEST_WORKFLOW,
  startAndLease,
  stepCommit,
  testItem,
  testRun,
} from '@floxide/conformance';
import type { PostgresBackend } from './postgres-backend.js';
import {
  createTestBackend,
  destroyTestBackend,
  postgresTestInit,
  TEST_DATABASE_URL,
} from './test-support/postgres-test-init.js';

describeRetentionScenarios({
  ...postgresTestInit,
  createWithRetention: (retention) => createTestBackend({ retention, retentionSweepMs: 100 }),
});

const TABLES = ['runs', 'work_items', 'join_arrivals', 'errors', 'events', 'node_timings', 'context_fields'];

/** Rows of the run in every table that holds run data. */
async function rowsOf(backend: PostgresBackend, runId: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const out: Record<string, number> = {};
    for (const table of TABLES) {
      const result = await client.query<{ n: number }>(
        `select count(*)::int as n from "${backend.schema}".${table} where run_id = $1`,
        [runId],
      );
      out[table] = result.rows[0]?.n ?? 0;
    }
    return out;
  } finally {
    await client.end();
  }
}

describe('retention on PostgreSQL', () => {
  let backend: PostgresBackend | undefined;
  afterEach(async () => {
    if (backend) await destroyTestBackend(backend);
    backend = undefined;
  });

  it('deletes every row of a finished run and none of a live one', async () => {
    backend = await createTestBackend({ retention: { completedMs: 0, failedMs: 0 }, retentionSweepMs: 0 });
    const lease = await startAndLease(backend, testRun('done'));
    const next = testItem({ runId: 'done', itemId: 'done:next', node: 'next' });
    await backend.commit(stepCommit(lease, advance({ successors: [next], contextOps: [] })));
    await backend.startRun(testRun('live', { workflow: 'other' }));
    const [doneLease] = await backend.queue.lease({
      workerId: 'w',
      leaseMs: 5_000,
      waitMs: 1_000,
      workflows: [{ name: TEST_WORKFLOW, version: 1 }],
    });
    if (!doneLease) throw new Error('expected the successor of run done');
    await backend.commit(stepCommit(doneLease, advance({ output: 42 })));
    expect((await backend.runs.get('done'))?.status).toBe('completed');
    const before = await rowsOf(backend, 'done');
    expect(before).toMatchObject({ runs: 1, work_items: 2 });
    expect(before['events']).toBeGreaterThan(0);
    const liveBefore = await rowsOf(backend, 'live');
    expect(await backend.deleteExpiredRuns()).toBe(1);
    expect(Object.values(await rowsOf(backend, 'done')).every((n) => n === 0)).toBe(true);
    expect(await rowsOf(backend, 'live')).toEqual(liveBefore);
    expect(liveBefore['runs']).toBe(1);
  });
});
