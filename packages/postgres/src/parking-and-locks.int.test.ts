import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import {
  advance,
  failed,
  leaseOne,
  sleep,
  startAndLease,
  stepCommit,
  testItem,
  testRun,
} from '@floxide/conformance';
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

async function open(): Promise<PostgresBackend> {
  const backend = await createTestBackend();
  closers.push(() => destroyTestBackend(backend));
  return backend;
}

async function client(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  closers.push(() => c.end());
  return c;
}

/** How many rows of the run sit in the claim index, which every claim walks. */
async function inClaimIndex(c: pg.Client, schema: string, runId: string): Promise<number> {
  const result = await c.query(
    `select count(*)::int as n from "${schema}".work_items where run_id = $1 and queue_state in ('ready', 'leased')`,
    [runId],
  );
  return (result.rows[0] as { n: number }).n;
}

/** A started run whose start step committed `width` queued successors (ids `<runId>:s<i>`). */
async function runWithBacklog(backend: PostgresBackend, runId: string, width: number): Promise<void> {
  const lease = await startAndLease(backend, testRun(runId));
  const successors = Array.from({ length: width }, (_, i) =>
    testItem({ runId, itemId: `${runId}:s${i}`, input: i }),
  );
  expect((await backend.commit(stepCommit(lease, advance({ successors })))).status).toBe('committed');
}

describe('PostgresBackend: parked backlogs', () => {
  it('parks the backlog of a paused run outside the claim index and brings it back on resume', async () => {
    const backend = await open();
    const c = await client();
    await runWithBacklog(backend, 'park-pause', 5);
    await backend.control('park-pause', 'pause');
    expect(await inClaimIndex(c, backend.schema, 'park-pause')).toBe(0);
    expect(await backend.queue.pending('park-pause')).toHaveLength(5);
    await backend.control('park-pause', 'resume');
    expect(await inClaimIndex(c, backend.schema, 'park-pause')).toBe(5);
    expect((await backend.queue.lease({ workerId: 'w', leaseMs: 30_000, max: 10 })).length).toBe(5);
  });

  it('parks the queued items a failed run keeps for retryFailed, and retryFailed brings them back', async () => {
    const backend = await open();
    const c = await client();
    await runWithBacklog(backend, 'park-fail', 4);
    const lease = await leaseOne(backend);
    expect(await backend.commit(stepCommit(lease, failed()))).toEqual({
      status: 'committed',
      runStatus: 'failed',
    });
    expect(await inClaimIndex(c, backend.schema, 'park-fail')).toBe(0);
    expect(await backend.queue.pending('park-fail')).toHaveLength(3);
    await backend.control('park-fail', 'retryFailed');
    // The three parked items and the revived dead one.
    expect(await inClaimIndex(c, backend.schema, 'park-fail')).toBe(4);
  });

  it('leaves no item of a cancelled run ready when a release held the item row while cancel ran', async () => {
    const backend = await open();
    const lease = await startAndLease(backend, testRun('cancel-race'));
    const c = await client();
    // A release in flight: its transaction has taken the item row but not committed yet.
    await c.query('begin');
    await c.query(`select "${backend.schema}".release_lease($1, $2, $3, 0)`, [
      'cancel-race',
      lease.item.itemId,
      lease.token,
    ]);
    const cancelled = backend.control('cancel-race', 'cancel');
    await sleep(300);
    await c.query('commit');
    expect((await cancelled).status).toBe('cancelled');
    expect(await backend.queue.pending('cancel-race')).toEqual([]);
  });

  it('deletes old runs while a commit holds an item and then takes the run row: one lock order, no deadlock', async () => {
    const backend = await open();
    const lease = await startAndLease(backend, testRun('retain-lock'));
    const successors = [testItem({ runId: 'retain-lock', itemId: 'retain-lock:s0' })];
    await backend.commit(stepCommit(lease, advance({ successors })));
    await backend.control('retain-lock', 'cancel');
    await sleep(20);
    const c = await client();
    // What commit_step does for an item of this run: the item row first, the run row next.
    await c.query('begin');
    await c.query(
      `select 1 from "${backend.schema}".work_items where run_id = $1 and item_id = $2 for update`,
      ['retain-lock', 'retain-lock:s0'],
    );
    const deleting = backend.deleteFinishedRuns({ olderThanMs: 0 });
    await sleep(300);
    await c.query(`select 1 from "${backend.schema}".runs where run_id = $1 for update`, ['retain-lock']);
    await c.query('commit');
    expect(await deleting).toBe(1);
    expect(await backend.runs.get('retain-lock')).toBeUndefined();
  });
});
