import { describe, expect, it } from 'vitest';
import type { BackendTestInit } from '../support/backend-test-init.js';
import {
  advance,
  failed,
  leaseOne,
  retry,
  startAndLease,
  stepCommit,
  testError,
  testItem,
  testRun,
} from '../support/test-records.js';
import { useBackend } from '../support/use-backend.js';

/** Contract of `backend.items`: item states through enqueue, lease and every kind of commit. */
export function describeItemsContract(init: BackendTestInit): void {
  describe('WorkItemStateStore', () => {
    const backend = useBackend(init);

    it('tracks pending → running → completed, and reads missing items and runs as undefined / empty', async () => {
      const run = testRun('it-1');
      await backend().startRun(run);
      expect(await backend().items.get('it-1', run.startItem.itemId)).toMatchObject({
        itemId: run.startItem.itemId,
        runId: 'it-1',
        node: 'start',
        status: 'pending',
        attempts: 0,
      });
      const lease = await leaseOne(backend());
      expect(await backend().items.get('it-1', lease.item.itemId)).toMatchObject({
        status: 'running',
        attempts: 1,
      });
      await backend().commit(stepCommit(lease, advance({ output: 'done' })));
      expect(await backend().items.get('it-1', lease.item.itemId)).toMatchObject({
        status: 'completed',
        attempts: 1,
      });
      expect(await backend().items.get('it-1', 'missing')).toBeUndefined();
      expect(await backend().items.get('missing', 'missing')).toBeUndefined();
      expect(await backend().items.list('missing')).toEqual([]);
    });

    it('lists a run’s items in creation order', async () => {
      const lease = await startAndLease(backend(), testRun('it-2'));
      const successors = ['x', 'y', 'z'].map((suffix) =>
        testItem({ runId: 'it-2', itemId: `it-2:${suffix}`, node: suffix }),
      );
      await backend().commit(stepCommit(lease, advance({ successors })));
      const list = await backend().items.list('it-2');
      expect(list.map((state) => state.itemId)).toEqual(['it-2:start', 'it-2:x', 'it-2:y', 'it-2:z']);
      expect(list.slice(1).every((state) => state.status === 'pending' && state.attempts === 0)).toBe(true);
    });

    it('marks a retried item waiting-retry with its last error, then running on the next attempt', async () => {
      const lease = await startAndLease(backend(), testRun('it-3'));
      await backend().commit(stepCommit(lease, retry(lease.item, 100, testError('flaky'))));
      expect(await backend().items.get('it-3', lease.item.itemId)).toMatchObject({
        status: 'waiting-retry',
        attempts: 1,
        lastError: { message: 'flaky' },
      });
      const next = await leaseOne(backend());
      expect(next.item.attempt).toBe(2);
      expect(await backend().items.get('it-3', lease.item.itemId)).toMatchObject({
        status: 'running',
        attempts: 2,
      });
    });

    it('marks an item failed when it takes the on-failure edge and dead without one', async () => {
      const lease = await startAndLease(backend(), testRun('it-4'));
      const fallback = testItem({
        runId: 'it-4',
        itemId: 'it-4:fallback',
        node: 'fallback',
        input: lease.item.input,
      });
      await backend().commit(stepCommit(lease, failed(testError('nope'), [fallback])));
      expect(await backend().items.get('it-4', lease.item.itemId)).toMatchObject({
        status: 'failed',
        lastError: { message: 'nope' },
      });
      const second = await leaseOne(backend());
      expect(second.item).toEqual(fallback);
      await backend().commit(stepCommit(second, failed(testError('dead end'))));
      expect(await backend().items.get('it-4', fallback.itemId)).toMatchObject({
        status: 'dead',
        lastError: { message: 'dead end' },
      });
    });

    it('returns copies: mutating a read state does not change the store', async () => {
      await backend().startRun(testRun('it-copy'));
      const [state] = await backend().items.list('it-copy');
      (state as { status: string }).status = 'dead';
      expect((await backend().items.get('it-copy', 'it-copy:start'))?.status).toBe('pending');
    });
  });
}
