import { describe, expect, it } from 'vitest';
import type { SignalStore } from '@floxide/distributed';
import type { BackendTestInit } from '../support/backend-test-init.js';
import { advance, leaseOne, startAndLease, stepCommit, testRun } from '../support/test-records.js';
import { useBackend } from '../support/use-backend.js';
import { codeOf } from '../support/rejection.js';

/**
 * Contract of `backend.signals`: a park releases the lease and leaves an outstanding item no lease call
 * hands out, the run `waiting` with the signal's name; parks are idempotent by `(itemId, attempt)`; a
 * delivery makes the next attempt (with the payload) leasable at once, exactly once by signal id; a signal
 * before the park is consumed by it; a timed-out park becomes leasable by the backend clock; unknown and
 * finished runs refuse signals.
 */
export function describeSignalsContract(init: BackendTestInit): void {
  describe('SignalStore', () => {
    const backend = useBackend(init);
    const store = (): SignalStore => {
      const signals = backend().signals;
      if (signals === undefined) throw new Error(`${init.name} has no signal store`);
      return signals;
    };

    it('parks without a lease, the run waiting; a delivery runs the next attempt with the payload once', async () => {
      const lease = await startAndLease(backend(), testRun('sig-1'));
      const parked = await store().park({ lease, name: 'approval', at: Date.now() });
      expect(parked).toEqual({ status: 'parked', runStatus: 'waiting' });
      expect(await store().park({ lease, name: 'approval', at: Date.now() })).toEqual({
        status: 'duplicate',
      });
      const info = await backend().runs.get('sig-1');
      expect(info).toMatchObject({ status: 'waiting', waitingFor: ['approval'] });
      expect((await backend().metrics.get('sig-1'))?.running).toBe(0);
      expect(await backend().queue.lease({ workerId: 'w', leaseMs: 5_000, waitMs: 200 })).toEqual([]);
      const pending = await backend().queue.pending('sig-1');
      expect(pending).toHaveLength(1);
      expect(pending[0]).toMatchObject({ attempt: 2, waitAttempts: 1, parked: { name: 'approval' } });

      const sent = await store().deliver({
        runId: 'sig-1',
        name: 'approval',
        payload: { ok: 1 },
        signalId: 'x',
        at: 1,
      });
      expect(sent).toEqual({ status: 'delivered', itemId: lease.item.itemId });
      const again = await store().deliver({
        runId: 'sig-1',
        name: 'approval',
        payload: { ok: 2 },
        signalId: 'x',
        at: 1,
      });
      expect(again).toEqual({ status: 'duplicate' });
      expect((await backend().runs.get('sig-1'))?.status).toBe('running');
      const next = await leaseOne(backend());
      expect(next.item).toMatchObject({ itemId: lease.item.itemId, attempt: 3, waitAttempts: 2 });
      expect(next.item.delivered).toEqual({ name: 'approval', payload: { ok: 1 } });
      expect(next.item.parked).toBeUndefined();
      const done = await backend().commit(stepCommit(next, advance({ output: { value: 'ok' } })));
      expect(done).toMatchObject({ status: 'committed', runStatus: 'completed' });
      expect((await backend().runs.get('sig-1'))?.waitingFor).toBeUndefined();
      // A retried send of the delivered signal stays a duplicate once the run has finished.
      expect(
        await store().deliver({ runId: 'sig-1', name: 'approval', payload: 3, signalId: 'x', at: 1 }),
      ).toEqual({ status: 'duplicate' });
      expect(await codeOf(store().deliver({ runId: 'sig-1', name: 'approval', payload: 1, at: 1 }))).toBe(
        'RUN_STATE',
      );
    });

    it('keeps a signal sent before the park and hands it to the park; refuses unknown runs', async () => {
      await backend().startRun(testRun('sig-2'));
      expect(await store().deliver({ runId: 'sig-2', name: 'go', payload: 'first', at: 1 })).toEqual({
        status: 'stored',
      });
      expect(await store().deliver({ runId: 'sig-2', name: 'go', payload: 'second', at: 1 })).toEqual({
        status: 'stored',
      });
      const lease = await leaseOne(backend());
      expect(await store().park({ lease, name: 'go', at: Date.now() })).toMatchObject({
        status: 'delivered',
      });
      const next = await leaseOne(backend());
      expect(next.item.delivered).toEqual({ name: 'go', payload: 'first' });
      expect(await store().park({ lease: next, name: 'go', at: Date.now() })).toMatchObject({
        status: 'delivered',
      });
      expect((await leaseOne(backend())).item.delivered).toEqual({ name: 'go', payload: 'second' });
      expect(await codeOf(store().deliver({ runId: 'nope', name: 'go', payload: 1, at: 1 }))).toBe(
        'RUN_NOT_FOUND',
      );
    });

    it('a parked item with a timeout becomes leasable when it is due, and then takes no signal', async () => {
      const lease = await startAndLease(backend(), testRun('sig-3'));
      const before = Date.now();
      expect(await store().park({ lease, name: 'late', timeoutMs: 300, at: Date.now() })).toMatchObject({
        status: 'parked',
      });
      const fired = await leaseOne(backend(), { timeoutMs: 10_000 });
      expect(Date.now() - before).toBeGreaterThanOrEqual(200);
      expect(fired.item.parked?.name).toBe('late');
      expect(fired.item.parked?.timeoutAt).toBeGreaterThan(0);
      expect(await store().deliver({ runId: 'sig-3', name: 'late', payload: 1, at: 1 })).toEqual({
        status: 'stored',
      });
    });

    it('a park of a cancelled run is rejected and changes nothing', async () => {
      const lease = await startAndLease(backend(), testRun('sig-4'));
      await backend().control('sig-4', 'cancel');
      expect(await store().park({ lease, name: 'x', at: Date.now() })).toEqual({
        status: 'rejected',
        runStatus: 'cancelled',
      });
    });
  });
}
