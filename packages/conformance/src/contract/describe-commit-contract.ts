import { describe, expect, it } from 'vitest';
import type { Backend } from '@floxide/distributed';
import type { BackendTestInit } from '../support/backend-test-init.js';
import {
  advance,
  failed,
  leaseBranches,
  leaseN,
  leaseOne,
  retry,
  startAndLease,
  stepCommit,
  testError,
  testItem,
  testRun,
} from '../support/test-records.js';
import { useBackend } from '../support/use-backend.js';

/** Everything a commit may change for one run, to prove that a refused commit changed nothing. */
async function snapshot(backend: Backend, runId: string): Promise<unknown> {
  const [run, context, metrics, items, errors, pending] = await Promise.all([
    backend.runs.get(runId),
    backend.context.get(runId),
    backend.metrics.get(runId),
    backend.items.list(runId),
    backend.errors.list(runId),
    backend.queue.pending(runId),
  ]);
  const ids = pending.map((item) => `${item.itemId}#${item.attempt}`).sort();
  return { run, context, metrics, items, errors, pending: ids };
}

/** Contract of `backend.commit`: exactly-once steps, refusals, terminal output, retries, failures. */
export function describeCommitContract(init: BackendTestInit): void {
  describe('commit', () => {
    const backend = useBackend(init);

    it('enqueues successors, completes the item and releases the lease', async () => {
      const lease = await startAndLease(backend(), testRun('cm-1'));
      const next = testItem({ runId: 'cm-1', itemId: 'cm-1:next', node: 'next', input: 2 });
      expect(await backend().commit(stepCommit(lease, advance({ successors: [next] })))).toEqual({
        status: 'committed',
        runStatus: 'running',
      });
      expect((await backend().queue.pending('cm-1')).map((item) => item.itemId)).toEqual(['cm-1:next']);
      expect((await leaseOne(backend())).item).toEqual(next);
      expect(await backend().queue.extend(lease, 5_000)).not.toBe('active');
    });

    it('is idempotent: the same commit twice is a duplicate that changes nothing', async () => {
      const lease = await startAndLease(backend(), testRun('cm-dup'));
      const next = testItem({ runId: 'cm-dup', itemId: 'cm-dup:next' });
      await backend().context.read('cm-dup', { layout: { n: 'counter' }, fields: [], logs: {} });
      const step = stepCommit(lease, advance({ successors: [next] }), {
        fields: [{ kind: 'counter', field: 'n', add: 1 }],
      });
      expect((await backend().commit(step)).status).toBe('committed');
      const before = await snapshot(backend(), 'cm-dup');
      expect(await backend().commit(step)).toEqual({ status: 'duplicate' });
      expect(await snapshot(backend(), 'cm-dup')).toEqual(before);
    });

    it('is idempotent for retry and failed outcomes too: one retry item, one error record', async () => {
      const lease = await startAndLease(backend(), testRun('cm-dupr'));
      const step = stepCommit(lease, retry(lease.item, 0));
      expect((await backend().commit(step)).status).toBe('committed');
      expect(await backend().commit(step)).toEqual({ status: 'duplicate' });
      expect((await backend().queue.pending('cm-dupr')).map((item) => item.attempt)).toEqual([2]);
      expect((await backend().metrics.get('cm-dupr'))?.retries).toBe(1);
      const next = await leaseOne(backend());
      const fail = stepCommit(next, failed());
      expect((await backend().commit(fail)).status).toBe('committed');
      expect(await backend().commit(fail)).toEqual({ status: 'duplicate' });
      expect((await backend().errors.list('cm-dupr')).map((record) => record.attempt)).toEqual([1, 2]);
      expect((await backend().metrics.get('cm-dupr'))?.failed).toBe(1);
    });

    it('deduplicates the same commit sent concurrently', async () => {
      const lease = await startAndLease(backend(), testRun('cm-dup2'));
      const successors = [
        testItem({ runId: 'cm-dup2', itemId: 'cm-dup2:a' }),
        testItem({ runId: 'cm-dup2', itemId: 'cm-dup2:b' }),
      ];
      const step = stepCommit(lease, advance({ successors }));
      const results = await Promise.all([
        backend().commit(step),
        backend().commit(step),
        backend().commit(step),
      ]);
      expect(results.map((result) => result.status).sort()).toEqual(['committed', 'duplicate', 'duplicate']);
      expect(await backend().queue.pending('cm-dup2')).toHaveLength(2);
      expect((await backend().metrics.get('cm-dup2'))?.totalItems).toBe(3);
    });

    it('treats the commit of a worker whose lease lapsed, after another worker committed, as a duplicate', async () => {
      await backend().startRun(testRun('cm-lost'));
      const first = await leaseOne(backend(), { leaseMs: 300 });
      const second = await leaseOne(backend(), { workerId: 'w2' });
      expect(await backend().commit(stepCommit(second, advance({ output: 'second' })))).toMatchObject({
        status: 'committed',
      });
      const late = await backend().commit(stepCommit(first, advance({ output: 'first' })));
      expect(['duplicate', 'rejected']).toContain(late.status);
      expect((await backend().runs.get('cm-lost'))?.output).toBe('second');
    });

    it('rejects a commit for a cancelled run and changes nothing', async () => {
      const lease = await startAndLease(backend(), testRun('cm-cx'));
      await backend().control('cm-cx', 'cancel');
      const before = await snapshot(backend(), 'cm-cx');
      const next = testItem({ runId: 'cm-cx', itemId: 'cm-cx:next' });
      const result = await backend().commit(
        stepCommit(lease, advance({ successors: [next] }), {
          fields: [{ kind: 'counter', field: 'n', add: 9 }],
        }),
      );
      expect(result).toEqual({ status: 'rejected', runStatus: 'cancelled' });
      expect(await snapshot(backend(), 'cm-cx')).toEqual(before);
      expect(await backend().queue.lease({ workerId: 'w', leaseMs: 5_000, waitMs: 200 })).toEqual([]);
    });

    it('completes the run with the first terminal output and rejects later commits', async () => {
      const [a, b] = await leaseBranches(backend(), 'cm-out', 2);
      if (!a || !b) throw new Error('no leases');
      expect(await backend().commit(stepCommit(a, advance({ output: { winner: 'a' } })))).toEqual({
        status: 'committed',
        runStatus: 'completed',
      });
      const run = await backend().runs.get('cm-out');
      expect(run).toMatchObject({ status: 'completed', output: { winner: 'a' } });
      expect(run?.finishedAt).toBeTypeOf('number');
      expect(await backend().commit(stepCommit(b, advance({ output: { winner: 'b' } })))).toEqual({
        status: 'rejected',
        runStatus: 'completed',
      });
      expect((await backend().runs.get('cm-out'))?.output).toEqual({ winner: 'a' });
    });

    it('stores a terminal output of null as an output', async () => {
      const lease = await startAndLease(backend(), testRun('cm-null'));
      expect(await backend().commit(stepCommit(lease, advance({ output: null })))).toEqual({
        status: 'committed',
        runStatus: 'completed',
      });
      expect(await backend().runs.get('cm-null')).toMatchObject({ status: 'completed', output: null });
    });

    it('fails the run with NO_TERMINAL_OUTPUT when its last item is consumed without output', async () => {
      const [a, b] = await leaseBranches(backend(), 'cm-nto', 2);
      if (!a || !b) throw new Error('no leases');
      expect(await backend().commit(stepCommit(a, advance({ transition: 'hold' })))).toEqual({
        status: 'committed',
        runStatus: 'running',
      });
      expect(await backend().commit(stepCommit(b, advance({ transition: 'hold' })))).toEqual({
        status: 'committed',
        runStatus: 'failed',
      });
      expect(await backend().runs.get('cm-nto')).toMatchObject({
        status: 'failed',
        error: { code: 'NO_TERMINAL_OUTPUT' },
      });
    });

    it('keeps a retry invisible until its delay passed, then hands out the next attempt', async () => {
      const lease = await startAndLease(backend(), testRun('cm-retry'));
      const committedAt = Date.now();
      expect(await backend().commit(stepCommit(lease, retry(lease.item, 800)))).toEqual({
        status: 'committed',
        runStatus: 'running',
      });
      expect(await backend().queue.lease({ workerId: 'w', leaseMs: 5_000 })).toEqual([]);
      expect((await backend().queue.pending('cm-retry')).map((item) => item.attempt)).toEqual([2]);
      const next = await leaseOne(backend());
      expect(Date.now() - committedAt).toBeGreaterThanOrEqual(750);
      expect(next.item).toEqual({ ...lease.item, attempt: 2 });
      expect((await backend().metrics.get('cm-retry'))?.retries).toBe(1);
      expect(await backend().commit(stepCommit(next, advance({ output: 'ok' })))).toEqual({
        status: 'committed',
        runStatus: 'completed',
      });
    });

    it('does not apply the context of a retried attempt', async () => {
      const lease = await startAndLease(backend(), testRun('cm-rctx'));
      await backend().commit(stepCommit(lease, retry(lease.item, 0)));
      expect(await backend().context.get('cm-rctx')).toEqual({ state: { n: 0 }, version: 0 });
    });

    it('marks the item dead and fails the run with an error record when a step fails without fallback', async () => {
      const lease = await startAndLease(backend(), testRun('cm-dead'));
      const error = testError('gave up');
      expect(await backend().commit(stepCommit(lease, failed(error)))).toEqual({
        status: 'committed',
        runStatus: 'failed',
      });
      const run = await backend().runs.get('cm-dead');
      expect(run).toMatchObject({ status: 'failed', error: { code: 'NODE_FAILED', message: 'gave up' } });
      expect(run?.finishedAt).toBeTypeOf('number');
      expect((await backend().items.get('cm-dead', lease.item.itemId))?.status).toBe('dead');
      expect(await backend().errors.list('cm-dead')).toEqual([
        {
          runId: 'cm-dead',
          itemId: lease.item.itemId,
          node: 'start',
          attempt: 1,
          error,
          at: expect.any(Number) as number,
        },
      ]);
      expect((await backend().metrics.get('cm-dead'))?.failed).toBe(1);
    });

    it('hands out no item of a failed run until retryFailed, which revives the dead item and the waiting ones', async () => {
      const [dying] = await leaseBranches(backend(), 'cm-halt', 1);
      if (!dying) throw new Error('no lease');
      // Two more items are queued (not leased) when the run fails.
      const waiting = ['x', 'y'].map((suffix) =>
        testItem({ runId: 'cm-halt', itemId: `cm-halt:${suffix}`, node: 'wait' }),
      );
      await backend().queue.enqueue(waiting);
      expect(await backend().commit(stepCommit(dying, failed()))).toEqual({
        status: 'committed',
        runStatus: 'failed',
      });
      expect(await backend().queue.lease({ workerId: 'w', leaseMs: 5_000, max: 5, waitMs: 300 })).toEqual([]);
      await backend().control('cm-halt', 'retryFailed');
      const leases = await leaseN(backend(), 3);
      expect(leases.map((lease) => `${lease.item.itemId}#${lease.item.attempt}`).sort()).toEqual([
        'cm-halt:b0#2',
        'cm-halt:x#1',
        'cm-halt:y#1',
      ]);
    });

    it('enqueues the fallback items of a failed step and the run goes on', async () => {
      const lease = await startAndLease(backend(), testRun('cm-fb'));
      const fallback = testItem({
        runId: 'cm-fb',
        itemId: 'cm-fb:fallback',
        node: 'fallback',
        input: lease.item.input,
      });
      expect(await backend().commit(stepCommit(lease, failed(testError(), [fallback])))).toEqual({
        status: 'committed',
        runStatus: 'running',
      });
      expect((await backend().errors.list('cm-fb')).length).toBe(1);
      const next = await leaseOne(backend());
      expect(next.item).toEqual(fallback);
      expect(await backend().commit(stepCommit(next, advance({ output: 'recovered' })))).toEqual({
        status: 'committed',
        runStatus: 'completed',
      });
    });
  });
}
