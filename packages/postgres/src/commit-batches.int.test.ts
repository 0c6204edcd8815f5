// Step commits of one run that arrive while one of that run is in flight go together in one transaction
// (`commit_steps`, migration 0023); commits of different runs never share one; a batch one of whose steps
// raises applied nothing and its steps are committed one by one, each answering on its own.
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { BackendError, RunStateError } from '@floxide/core';
import { advance, leaseBranches, leaseN, sleep, stepCommit, testItem, testRun } from '@floxide/conformance';
import type { WorkItem } from '@floxide/core/engine';
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

async function setup(): Promise<{ backend: PostgresBackend; c: pg.Client }> {
  // Room in the pool for the listeners, a commit waiting for a lock and a cancel waiting behind it.
  const backend = await createTestBackend({ poolSize: 8 });
  closers.push(() => destroyTestBackend(backend));
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  closers.push(() => c.end());
  return { backend, c };
}

/** How many transactions wrote the `step.committed` events of `runIds`. */
async function commitTransactions(c: pg.Client, backend: PostgresBackend, runIds: string[]): Promise<number> {
  const { rows } = await c.query<{ n: string }>(
    `select count(distinct tx::text) as n from "${backend.schema}".events
     where run_id = any($1) and type = 'step.committed'`,
    [runIds],
  );
  return Number(rows[0]?.n);
}

/**
 * Resolves once `n` statements on `backend`'s schema wait for a lock (so they reached the server in the
 * order they were sent), or after 5 s (the assertions after it hold either way).
 */
async function waitingForLocks(c: pg.Client, backend: PostgresBackend, n: number): Promise<void> {
  const until = Date.now() + 5_000;
  while (Date.now() < until) {
    const { rows } = await c.query<{ n: string }>(
      `select count(*) as n from pg_stat_activity where wait_event_type = 'Lock' and query like $1`,
      [`%"${backend.schema}".%`],
    );
    if (Number(rows[0]?.n) >= n) return;
    await sleep(20);
  }
}

describe('PostgresBackend: commit batches', () => {
  it('commits of one run sent at once share a transaction after the first; exact', async () => {
    const { backend, c } = await setup();
    const leases = await leaseBranches(backend, 'b', 20);
    const results = await Promise.all(
      leases.map((lease) => backend.commit(stepCommit(lease, advance({ successors: [] })))),
    );
    expect(results.map((r) => r.status)).toEqual(leases.map(() => 'committed'));
    // The start item's commit, the first branch alone, then the other 19 in one batch.
    expect(await commitTransactions(c, backend, ['b'])).toBe(3);
    expect(await backend.metrics.get('b')).toMatchObject({ completed: 21, totalItems: 21 });
    // The last branch consumed the last item without an output: the drain check ran inside the batch.
    expect((await backend.runs.get('b'))?.status).toBe('failed');
  });

  it('commits of different runs never share a transaction', async () => {
    const { backend, c } = await setup();
    const ids = Array.from({ length: 10 }, (_, i) => `r${i}`);
    for (const id of ids) await backend.startRun(testRun(id));
    const leases = await leaseN(backend, ids.length);
    const next = (runId: string): WorkItem => testItem({ runId, itemId: `${runId}:n`, node: 'n' });
    await Promise.all(
      leases.map((l) => backend.commit(stepCommit(l, advance({ successors: [next(l.item.runId)] })))),
    );
    expect(await commitTransactions(c, backend, ids)).toBe(ids.length);
  });

  it('a batch with a step that raises: the others commit alone, that one fails alone', async () => {
    const { backend, c } = await setup();
    const [a, b, bad] = await leaseBranches(backend, 'x', 3);
    if (!a || !b || !bad) throw new Error('no leases');
    // A successor without an item id violates a NOT NULL column inside commit_step.
    const broken = { ...testItem({ runId: 'x', itemId: 'x:broken', node: 'n' }), itemId: undefined };
    const settled = await Promise.allSettled([
      backend.commit(stepCommit(a, advance({ successors: [] }))),
      backend.commit(stepCommit(b, advance({ successors: [] }))),
      backend.commit(stepCommit(bad, advance({ successors: [broken as unknown as WorkItem] }))),
    ]);
    expect(settled[0]).toMatchObject({ status: 'fulfilled', value: { status: 'committed' } });
    expect(settled[1]).toMatchObject({ status: 'fulfilled', value: { status: 'committed' } });
    expect(settled[2]).toMatchObject({ status: 'rejected' });
    expect(settled[2].status === 'rejected' && settled[2].reason).toBeInstanceOf(BackendError);
    expect(await backend.metrics.get('x')).toMatchObject({ completed: 3 });
    // The start, the first branch alone, then `b` alone after the batch of `b` and `bad` rolled back.
    expect(await commitTransactions(c, backend, ['x'])).toBe(3);
    const seqs = (await backend.events.read('x', 0)).map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  });

  it('a cancel beside a batch: the batch applies whole before it, or nothing of it after', async () => {
    const { backend, c } = await setup();
    const leases = await leaseBranches(backend, 'cb', 11);
    // Hold the run row, so the first commit waits in the database and the other ten wait in the backend.
    await c.query('begin');
    await c.query(`select 1 from "${backend.schema}".runs where run_id = 'cb' for update`);
    const commits = leases.map((lease) => backend.commit(stepCommit(lease, advance({ successors: [] }))));
    await waitingForLocks(c, backend, 1);
    const cancelled = backend.control('cb', 'cancel').then(
      (run) => run.status,
      (error: unknown) => error,
    );
    await waitingForLocks(c, backend, 2);
    await c.query('commit');
    const results = (await Promise.all(commits)).map((r) => r.status);
    const batch = results.slice(1);
    // The first commit took the row ahead of the cancel. The batch is one transaction: whichever of it and
    // the cancel locked the run row next (PostgreSQL re-locks an updated row without a queue) went first.
    expect(results[0]).toBe('committed');
    expect(new Set(batch).size).toBe(1);
    const outcome = await cancelled;
    if (batch[0] === 'committed') {
      // Every branch consumed without an output: the run failed before the cancel came.
      expect(outcome).toBeInstanceOf(RunStateError);
      expect(await backend.metrics.get('cb')).toMatchObject({ completed: 12 });
    } else {
      expect(outcome).toBe('cancelled');
      expect(batch[0]).toBe('rejected');
      expect(await backend.metrics.get('cb')).toMatchObject({ completed: 2 });
    }
  });
});
