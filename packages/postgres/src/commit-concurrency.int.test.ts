// Commits of one run's branches (issue 11 §1): many at once stay exact — one join item with every value,
// exact counters, dense event numbers — and pause and cancel wait for every commit in flight and exclude
// later ones (once cancel returns nothing of the run commits; a commit after pause parks its successors).
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { advance, leaseBranches, sleep, stepCommit, testItem } from '@floxide/conformance';
import type { Lease } from '@floxide/distributed';
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

/**
 * Opens a transaction on `c` holding what a commit of `lease` holds until it ends: its item row, then the
 * run row.
 */
async function holdCommit(c: pg.Client, s: string, lease: Lease): Promise<void> {
  await c.query('begin');
  await c.query(`select 1 from ${s}.work_items where run_id = $1 and item_id = $2 for update`, [
    lease.item.runId,
    lease.item.itemId,
  ]);
  await c.query(`select 1 from ${s}.runs where run_id = $1 for update`, [lease.item.runId]);
}

/** Resolves to `'pending'` when `promise` has not settled within `ms`. */
async function settledWithin<T>(promise: Promise<T>, ms: number): Promise<T | 'pending'> {
  return Promise.race([promise, sleep(ms).then(() => 'pending' as const)]);
}

/** The arrival of branch lease `lease` (index `i` of `total`) at the run's join `j`. */
function arrive(lease: Lease, i: number, total: number) {
  const joinItem = testItem({ runId: lease.item.runId, itemId: 'j', node: 'collect' });
  return stepCommit(lease, advance({ joins: [{ joinItem, index: i, total, value: i }] }));
}

describe('PostgresBackend: concurrent commits of one run', () => {
  it('cancel waits for a commit in flight, and no commit of the run takes effect once it returned', async () => {
    const { backend, c, s } = await setup();
    const [a, b] = await leaseBranches(backend, 'cx', 2);
    if (!a || !b) throw new Error('no leases');
    await holdCommit(c, s, a);
    const cancelled = backend.control('cx', 'cancel');
    try {
      expect(await settledWithin(cancelled, 1_000)).toBe('pending');
    } finally {
      await c.query('commit');
    }
    expect((await cancelled).status).toBe('cancelled');
    expect(await backend.commit(arrive(b, 1, 2))).toEqual({ status: 'rejected', runStatus: 'cancelled' });
    expect((await backend.metrics.get('cx'))?.completed).toBe(1);
  });

  it('pause waits for a commit in flight; the successors of a commit after it stay parked', async () => {
    const { backend, c, s } = await setup();
    const [a, b] = await leaseBranches(backend, 'px', 2);
    if (!a || !b) throw new Error('no leases');
    await holdCommit(c, s, a);
    const paused = backend.control('px', 'pause');
    try {
      expect(await settledWithin(paused, 1_000)).toBe('pending');
    } finally {
      await c.query('commit');
    }
    expect((await paused).status).toBe('paused');
    const next = testItem({ runId: 'px', itemId: 'px:next', node: 'after' });
    expect((await backend.commit(stepCommit(b, advance({ successors: [next] })))).status).toBe('committed');
    expect(await backend.queue.lease({ workerId: 'w', leaseMs: 30_000, max: 5 })).toEqual([]);
  });

  it(
    '200 branches committed at once: the join fires once with every value, counters exact, events dense',
    { timeout: 60_000 },
    async () => {
      const { backend } = await setup();
      const n = 200;
      const leases = await leaseBranches(backend, 'many', n);
      const results = await Promise.all(
        leases.map((lease) => backend.commit(arrive(lease, Number(lease.item.input), n))),
      );
      expect(results.every((r) => r.status === 'committed')).toBe(true);
      const [join] = await backend.queue.lease({ workerId: 'w', leaseMs: 30_000, max: 10 });
      expect(join?.item.itemId).toBe('j');
      expect(join?.item.input).toEqual(Array.from({ length: n }, (_, i) => i));
      const metrics = await backend.metrics.get('many');
      expect(metrics).toMatchObject({ completed: n + 1, totalItems: n + 2 });
      const seqs = (await backend.events.read('many', 0)).map((e) => e.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      // The run queued and running, the start step started and committed; per branch a start and a commit;
      // the join's start.
      expect(seqs.length).toBe(4 + 2 * n + 1);
    },
  );
});
