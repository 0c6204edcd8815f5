import { describe, expect, it } from 'vitest';
import { isFloxideError, type FloxideErrorCode } from '@floxide/core';
import type { BackendTestInit } from '../support/backend-test-init.js';
import {
  advance,
  failed,
  leaseOne,
  startAndLease,
  stepCommit,
  testError,
  testRun,
} from '../support/test-records.js';
import { useBackend } from '../support/use-backend.js';

/** Resolves with the code of the Floxide error `promise` rejects with; fails when it resolves. */
async function rejectionCode(promise: Promise<unknown>): Promise<FloxideErrorCode> {
  try {
    await promise;
  } catch (error) {
    if (isFloxideError(error)) return error.code;
    throw new Error(`expected a FloxideError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a rejection');
}

/** Contract of `backend.control` and `backend.failRun`: status changes, their effect on leases, their errors. */
export function describeControlContract(init: BackendTestInit): void {
  describe('control and failRun', () => {
    const backend = useBackend(init);

    it('pause hides the run’s items from lease; resume makes them visible again', async () => {
      await backend().startRun(testRun('c-pause'));
      const paused = await backend().control('c-pause', 'pause');
      expect(paused.status).toBe('paused');
      expect(await backend().queue.lease({ workerId: 'w', leaseMs: 5_000, waitMs: 300 })).toEqual([]);
      expect(await backend().queue.pending('c-pause')).toHaveLength(1);
      const resumed = await backend().control('c-pause', 'resume');
      expect(resumed.status).toBe('running');
      const lease = await leaseOne(backend());
      expect(lease.item.runId).toBe('c-pause');
    });

    it('pause lets an in-flight step commit but hands out none of its successors until resume', async () => {
      const lease = await startAndLease(backend(), testRun('c-inflight'));
      await backend().control('c-inflight', 'pause');
      const next = { ...lease.item, itemId: 'c-inflight:next', node: 'next' };
      const result = await backend().commit(stepCommit(lease, advance({ successors: [next] })));
      expect(result).toEqual({ status: 'committed', runStatus: 'paused' });
      expect(await backend().queue.lease({ workerId: 'w', leaseMs: 5_000, waitMs: 300 })).toEqual([]);
      await backend().control('c-inflight', 'resume');
      expect((await leaseOne(backend())).item.itemId).toBe('c-inflight:next');
    });

    it('resume wakes a lease call that is already waiting', async () => {
      await backend().startRun(testRun('c-wake'));
      await backend().control('c-wake', 'pause');
      const waiting = backend().queue.lease({ workerId: 'w', leaseMs: 5_000, waitMs: 5_000 });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await backend().control('c-wake', 'resume');
      expect((await waiting).map((lease) => lease.item.runId)).toEqual(['c-wake']);
    });

    it('cancel purges queued items, refuses later leases and commits, and sets finishedAt', async () => {
      await backend().startRun(testRun('c-cancel'));
      const cancelled = await backend().control('c-cancel', 'cancel');
      expect(cancelled.status).toBe('cancelled');
      expect(cancelled.finishedAt).toBeTypeOf('number');
      expect(await backend().queue.pending('c-cancel')).toEqual([]);
      expect(await backend().queue.lease({ workerId: 'w', leaseMs: 5_000, waitMs: 200 })).toEqual([]);
      expect((await backend().runs.get('c-cancel'))?.status).toBe('cancelled');
    });

    it('cancels a paused run', async () => {
      await backend().startRun(testRun('c-pc'));
      await backend().control('c-pc', 'pause');
      expect((await backend().control('c-pc', 'cancel')).status).toBe('cancelled');
    });

    it('retryFailed re-enqueues dead items as a new attempt and the run goes on', async () => {
      const lease = await startAndLease(backend(), testRun('c-retry'));
      await backend().commit(stepCommit(lease, failed(testError('down'))));
      expect((await backend().runs.get('c-retry'))?.status).toBe('failed');
      const revived = await backend().control('c-retry', 'retryFailed');
      expect(revived.status).toBe('running');
      const again = await leaseOne(backend());
      expect(again.item.itemId).toBe(lease.item.itemId);
      expect(again.item.attempt).toBe(2);
      expect(await backend().commit(stepCommit(again, advance({ output: 'ok' })))).toEqual({
        status: 'committed',
        runStatus: 'completed',
      });
      expect(await backend().runs.get('c-retry')).toMatchObject({ status: 'completed', output: 'ok' });
    });

    it('throws RUN_NOT_FOUND for a missing run', async () => {
      for (const action of ['pause', 'resume', 'cancel', 'retryFailed'] as const) {
        expect(await rejectionCode(backend().control('missing', action))).toBe('RUN_NOT_FOUND');
      }
    });

    it('throws RUN_STATE when the status does not allow the action', async () => {
      await backend().startRun(testRun('c-state'));
      expect(await rejectionCode(backend().control('c-state', 'resume'))).toBe('RUN_STATE');
      expect(await rejectionCode(backend().control('c-state', 'retryFailed'))).toBe('RUN_STATE');
      const lease = await leaseOne(backend());
      await backend().commit(stepCommit(lease, advance({ output: 1 })));
      for (const action of ['pause', 'resume', 'cancel', 'retryFailed'] as const) {
        expect(await rejectionCode(backend().control('c-state', action))).toBe('RUN_STATE');
      }
      await backend().startRun(testRun('c-state2'));
      await backend().control('c-state2', 'cancel');
      for (const action of ['pause', 'resume', 'cancel', 'retryFailed'] as const) {
        expect(await rejectionCode(backend().control('c-state2', action))).toBe('RUN_STATE');
      }
      expect((await backend().runs.get('c-state2'))?.status).toBe('cancelled');
    });

    it('failRun fails an unfinished run with an error record; its items are no longer handed out', async () => {
      await backend().startRun(testRun('c-fail'));
      await backend().failRun('c-fail', {
        name: 'CorruptRecordError',
        code: 'CORRUPT_RECORD',
        message: 'bad JSON',
      });
      const run = await backend().runs.get('c-fail');
      expect(run).toMatchObject({ status: 'failed', error: { code: 'CORRUPT_RECORD' } });
      expect((await backend().errors.list('c-fail')).map((record) => record.error.code)).toContain(
        'CORRUPT_RECORD',
      );
      expect(await backend().queue.lease({ workerId: 'w', leaseMs: 5_000, waitMs: 200 })).toEqual([]);
    });

    it('failRun is a no-op for a finished or missing run', async () => {
      const lease = await startAndLease(backend(), testRun('c-done'));
      await backend().commit(stepCommit(lease, advance({ output: 'out' })));
      await backend().failRun('c-done', testError('late'));
      expect(await backend().runs.get('c-done')).toMatchObject({ status: 'completed', output: 'out' });
      await backend().failRun('missing', testError('nobody'));
      expect(await backend().runs.get('missing')).toBeUndefined();
    });
  });
}
