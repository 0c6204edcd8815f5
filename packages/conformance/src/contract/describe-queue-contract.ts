import { describe, expect, it } from 'vitest';
import type { BackendTestInit } from '../support/backend-test-init.js';
import { leaseOne, testItem, testRun } from '../support/test-records.js';
import { useBackend } from '../support/use-backend.js';
import { sleep, waitFor } from '../support/wait-for.js';

/**
 * Contract of `backend.queue`: atomic leases, expiry, release, extend, delays, long polls, purge.
 *
 * @remarks Timing tests use leases and delays of a few hundred milliseconds and poll with generous
 * deadlines; they assert lower bounds (not visible too early), never tight upper bounds.
 */
export function describeQueueContract(init: BackendTestInit): void {
  describe('WorkQueue', () => {
    const backend = useBackend(init);

    it('hands out the start item of a new run, marks it running and counts the attempt', async () => {
      const run = testRun('q-1');
      await backend().startRun(run);
      const [lease, ...rest] = await backend().queue.lease({
        workerId: 'w1',
        leaseMs: 5_000,
        max: 5,
        waitMs: 2_000,
      });
      expect(rest).toEqual([]);
      expect(lease?.item).toEqual(run.startItem);
      expect(lease?.workerId).toBe('w1');
      expect(typeof lease?.token).toBe('string');
      expect(lease?.expiresAt).toBeGreaterThan(Date.now());
      const state = await backend().items.get('q-1', run.startItem.itemId);
      expect(state).toMatchObject({ status: 'running', attempts: 1, node: 'start' });
    });

    it('claims at most `max` items per call', async () => {
      for (const id of ['q-a', 'q-b', 'q-c']) await backend().startRun(testRun(id));
      const first = await waitFor(async () => {
        const got = await backend().queue.lease({ workerId: 'w1', leaseMs: 5_000, max: 2 });
        return got.length > 0 ? got : undefined;
      });
      expect(first.length).toBeLessThanOrEqual(2);
      const rest = await backend().queue.lease({ workerId: 'w1', leaseMs: 5_000, max: 10, waitMs: 500 });
      expect(first.length + rest.length).toBe(3);
    });

    it('never leases the same item twice concurrently (10 racing calls for 5 items → 5 distinct leases)', async () => {
      const ids = ['r-1', 'r-2', 'r-3', 'r-4', 'r-5'];
      for (const id of ids) await backend().startRun(testRun(id));
      await sleep(50);
      const batches = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          backend().queue.lease({ workerId: `w${i}`, leaseMs: 10_000, max: 1 }),
        ),
      );
      const leases = batches.flat();
      // A call may come back empty while another holds the item; whatever was handed out must be distinct.
      const itemIds = leases.map((lease) => lease.item.itemId);
      expect(new Set(itemIds).size).toBe(itemIds.length);
      const more = await backend().queue.lease({ workerId: 'late', leaseMs: 10_000, max: 10, waitMs: 300 });
      const all = [...itemIds, ...more.map((lease) => lease.item.itemId)].sort();
      expect(all).toEqual(ids.map((id) => `${id}:start`).sort());
      expect(await backend().queue.lease({ workerId: 'late', leaseMs: 10_000, max: 10 })).toEqual([]);
    });

    it('hides an item while its lease is live and hands it out again once the lease expired', async () => {
      await backend().startRun(testRun('q-exp'));
      const first = await leaseOne(backend(), { leaseMs: 800 });
      expect(await backend().queue.lease({ workerId: 'w2', leaseMs: 5_000 })).toEqual([]);
      const second = await leaseOne(backend(), { workerId: 'w2', leaseMs: 5_000 });
      expect(second.item.itemId).toBe(first.item.itemId);
      expect(second.item.attempt).toBe(first.item.attempt);
      expect(second.token).not.toBe(first.token);
      expect(Date.now()).toBeGreaterThanOrEqual(first.expiresAt - 50);
      expect(await backend().queue.extend(first, 5_000)).toBe('lost');
    });

    it('makes a released item visible again at once, same attempt', async () => {
      await backend().startRun(testRun('q-rel'));
      const first = await leaseOne(backend());
      await backend().queue.release(first);
      const second = await leaseOne(backend(), { workerId: 'w2', timeoutMs: 3_000 });
      expect(second.item).toEqual(first.item);
      // Releasing a lease that is no longer ours changes nothing.
      await backend().queue.release(first);
      expect(await backend().queue.lease({ workerId: 'w3', leaseMs: 5_000 })).toEqual([]);
      expect(await backend().queue.extend(second, 5_000)).toBe('active');
    });

    it('keeps a released item hidden for the release delay', async () => {
      await backend().startRun(testRun('q-reld'));
      const first = await leaseOne(backend());
      const releasedAt = Date.now();
      await backend().queue.release(first, { delayMs: 800 });
      expect(await backend().queue.lease({ workerId: 'w2', leaseMs: 5_000 })).toEqual([]);
      const second = await leaseOne(backend(), { workerId: 'w2' });
      expect(second.item.itemId).toBe(first.item.itemId);
      expect(Date.now() - releasedAt).toBeGreaterThanOrEqual(750);
    });

    it('extends a live lease past its original deadline', async () => {
      await backend().startRun(testRun('q-ext'));
      const lease = await leaseOne(backend(), { leaseMs: 300 });
      expect(await backend().queue.extend(lease, 3_000)).toBe('active');
      await sleep(700);
      expect(await backend().queue.lease({ workerId: 'w2', leaseMs: 5_000 })).toEqual([]);
      expect(await backend().queue.extend(lease, 3_000)).toBe('active');
    });

    it('reports `cancelled` when extending a lease of a cancelled run', async () => {
      await backend().startRun(testRun('q-cx'));
      const lease = await leaseOne(backend());
      await backend().control('q-cx', 'cancel');
      expect(await backend().queue.extend(lease, 5_000)).toBe('cancelled');
    });

    it('makes delayed items visible only after their delay', async () => {
      await backend().startRun(testRun('q-del'));
      const start = await leaseOne(backend());
      const enqueuedAt = Date.now();
      const later = testItem({ runId: 'q-del', itemId: 'q-del:later' });
      await backend().queue.enqueue([later], { delayMs: 800 });
      expect(await backend().queue.lease({ workerId: 'w1', leaseMs: 5_000 })).toEqual([]);
      const pending = await backend().queue.pending('q-del');
      expect(pending.map((item) => item.itemId).sort()).toEqual(['q-del:later', start.item.itemId].sort());
      const lease = await leaseOne(backend());
      expect(lease.item).toEqual(later);
      expect(Date.now() - enqueuedAt).toBeGreaterThanOrEqual(750);
    });

    it('enqueues idempotently by (itemId, attempt)', async () => {
      const run = testRun('q-idem');
      await backend().startRun(run);
      const extra = testItem({ runId: 'q-idem', itemId: 'q-idem:x' });
      await backend().queue.enqueue([extra, extra]);
      await backend().queue.enqueue([run.startItem, extra]);
      expect((await backend().queue.pending('q-idem')).length).toBe(2);
      const leases = await backend().queue.lease({ workerId: 'w', leaseMs: 5_000, max: 10, waitMs: 300 });
      const more = await backend().queue.lease({ workerId: 'w', leaseMs: 5_000, max: 10, waitMs: 200 });
      expect([...leases, ...more].map((lease) => lease.item.itemId).sort()).toEqual([
        'q-idem:start',
        'q-idem:x',
      ]);
      // Leased items are not enqueued again either.
      await backend().queue.enqueue([extra]);
      expect(await backend().queue.lease({ workerId: 'w', leaseMs: 5_000, max: 10, waitMs: 200 })).toEqual(
        [],
      );
    });

    it('long-polls: a waiting lease call returns an item enqueued while it waits', async () => {
      const waiting = backend().queue.lease({ workerId: 'w', leaseMs: 5_000, waitMs: 5_000 });
      await sleep(150);
      await backend().startRun(testRun('q-poll'));
      const leases = await waiting;
      expect(leases.map((lease) => lease.item.itemId)).toEqual(['q-poll:start']);
    });

    it('leases only items of the workflow versions named by its filter; the others stay queued, untouched', async () => {
      await backend().startRun(testRun('q-wf-a', { workflow: 'wf-a' }));
      await backend().startRun(testRun('q-wf-b', { workflow: 'wf-b' }));
      const none = await backend().queue.lease({
        workerId: 'w',
        leaseMs: 5_000,
        max: 5,
        waitMs: 300,
        workflows: [
          { name: 'wf-c', version: 1 },
          { name: 'wf-a', version: 2 },
        ],
      });
      expect(none).toEqual([]);
      const [lease, ...rest] = await backend().queue.lease({
        workerId: 'w',
        leaseMs: 5_000,
        max: 5,
        waitMs: 2_000,
        workflows: [{ name: 'wf-b', version: 1 }],
      });
      expect(rest).toEqual([]);
      expect(lease?.item.runId).toBe('q-wf-b');
      expect((await backend().runs.get('q-wf-a'))?.status).toBe('queued');
      expect(await backend().items.get('q-wf-a', 'q-wf-a:start')).toMatchObject({
        status: 'pending',
        attempts: 0,
      });
      const [other] = await backend().queue.lease({
        workerId: 'w',
        leaseMs: 5_000,
        waitMs: 2_000,
        workflows: [{ name: 'wf-a', version: 1 }],
      });
      expect(other?.item.runId).toBe('q-wf-a');
    });

    it('a filtered lease call waiting for its workflow wakes for it, not for another workflow', async () => {
      const waiting = backend().queue.lease({
        workerId: 'w',
        leaseMs: 5_000,
        waitMs: 5_000,
        workflows: [{ name: 'wf-late', version: 1 }],
      });
      await sleep(100);
      await backend().startRun(testRun('q-wf-other', { workflow: 'wf-other' }));
      await sleep(100);
      await backend().startRun(testRun('q-wf-late', { workflow: 'wf-late' }));
      const leases = await waiting;
      expect(leases.map((l) => l.item.runId)).toEqual(['q-wf-late']);
      expect((await backend().runs.get('q-wf-other'))?.status).toBe('queued');
    });

    it('ends a waiting lease call early when its signal aborts', async () => {
      const controller = new AbortController();
      const startedAt = Date.now();
      const waiting = backend().queue.lease({
        workerId: 'w',
        leaseMs: 5_000,
        waitMs: 30_000,
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(), 100);
      expect(await waiting).toEqual([]);
      expect(Date.now() - startedAt).toBeLessThan(15_000);
    });

    it('returns copies: mutating a leased or pending item does not change the stored one', async () => {
      await backend().startRun(testRun('q-copy', { input: { nested: { a: 1 } } }));
      const [pending] = await backend().queue.pending('q-copy');
      (pending?.input as { nested: { a: number } }).nested.a = 2;
      const lease = await leaseOne(backend());
      expect(lease.item.input).toEqual({ nested: { a: 1 } });
      (lease.item.input as { nested: { a: number } }).nested.a = 3;
      await backend().queue.release(lease);
      expect((await leaseOne(backend())).item.input).toEqual({ nested: { a: 1 } });
    });

    it('purges queued items of a run and reports how many', async () => {
      await backend().startRun(testRun('q-purge'));
      await backend().startRun(testRun('q-keep'));
      await backend().queue.enqueue([testItem({ runId: 'q-purge', itemId: 'q-purge:x' })]);
      expect(await backend().queue.purgeRun('q-purge')).toBe(2);
      expect(await backend().queue.pending('q-purge')).toEqual([]);
      expect(await backend().queue.purgeRun('missing')).toBe(0);
      expect(await backend().queue.pending('missing')).toEqual([]);
      const lease = await leaseOne(backend());
      expect(lease.item.runId).toBe('q-keep');
    });
  });
}
