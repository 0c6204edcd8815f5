import { describe, expect, it } from 'vitest';
import type { WorkflowErrorRecord } from '@floxide/distributed';
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

/** Contract of `backend.errors`, `backend.metrics` and `backend.events`: what commits leave for inspection. */
export function describeRecordsContract(init: BackendTestInit): void {
  describe('ErrorStore, MetricsStore and EventStore', () => {
    const backend = useBackend(init);

    it('errors: appends in order, never deduplicates, reads a missing run as empty, returns copies', async () => {
      // Records belong to a run (a backend may drop records of runs it does not know).
      await backend().startRun(testRun('er-1'));
      const record = (attempt: number): WorkflowErrorRecord => ({
        runId: 'er-1',
        itemId: 'er-1:x',
        node: 'x',
        attempt,
        error: testError(`failure ${attempt}`, 'UNKNOWN_WORKFLOW'),
        at: 1_000 + attempt,
      });
      await backend().errors.record(record(1));
      await backend().errors.record(record(2));
      await backend().errors.record(record(2));
      const list = await backend().errors.list('er-1');
      expect(list).toEqual([record(1), record(2), record(2)]);
      (list[0] as { node: string }).node = 'changed';
      expect((await backend().errors.list('er-1'))[0]?.node).toBe('x');
      expect(await backend().errors.list('missing')).toEqual([]);
    });

    it('errors: a commit records every failed attempt atomically with the step', async () => {
      const lease = await startAndLease(backend(), testRun('er-2'));
      await backend().commit(stepCommit(lease, retry(lease.item, 0, testError('first'))));
      const second = await leaseOne(backend());
      await backend().commit(stepCommit(second, failed(testError('second'))));
      const list = await backend().errors.list('er-2');
      expect(list.map((entry) => [entry.itemId, entry.node, entry.attempt, entry.error.message])).toEqual([
        ['er-2:start', 'start', 1, 'first'],
        ['er-2:start', 'start', 2, 'second'],
      ]);
    });

    it('errors: keep the stack of a node error in the error records, the run error and the item state', async () => {
      const stack = 'Error: boom\n    at charge (/app/src/charge.ts:12:11)\n    at run (/app/src/run.ts:3:1)';
      const withStack = { ...testError('boom'), stack };
      const lease = await startAndLease(backend(), testRun('er-st'));
      await backend().commit(stepCommit(lease, retry(lease.item, 0, withStack)));
      const second = await leaseOne(backend());
      await backend().commit(stepCommit(second, failed(withStack)));
      await backend().errors.record({
        runId: 'er-st',
        itemId: 'x',
        node: 'n',
        attempt: 1,
        error: withStack,
        at: 1,
      });
      const list = await backend().errors.list('er-st');
      expect(list.map((entry) => entry.error.stack)).toEqual([stack, stack, stack]);
      // The run's error and the item's last error keep it too (the dashboard shows it beside the run).
      expect((await backend().runs.get('er-st'))?.error).toMatchObject({ message: 'boom', stack });
      expect((await backend().items.get('er-st', second?.item.itemId ?? ''))?.lastError).toMatchObject({
        message: 'boom',
        stack,
      });
      // A record without a stack reads without one.
      await backend().errors.record({
        runId: 'er-st',
        itemId: 'y',
        node: 'n',
        attempt: 1,
        error: testError(),
        at: 2,
      });
      expect((await backend().errors.list('er-st'))[3]?.error).not.toHaveProperty('stack');
    });

    it('metrics: start counts the start item; leases, commits and retries update the counters', async () => {
      await backend().startRun(testRun('me-1'));
      expect(await backend().metrics.get('me-1')).toMatchObject({
        totalItems: 1,
        completed: 0,
        failed: 0,
        retries: 0,
        running: 0,
      });
      expect(await backend().metrics.get('missing')).toBeUndefined();
      const lease = await leaseOne(backend());
      expect((await backend().metrics.get('me-1'))?.running).toBe(1);
      const successors = [
        testItem({ runId: 'me-1', itemId: 'me-1:a', node: 'a' }),
        testItem({ runId: 'me-1', itemId: 'me-1:b', node: 'b' }),
      ];
      await backend().commit(stepCommit(lease, { ...advance({ successors }), durationMs: 7 }));
      expect(await backend().metrics.get('me-1')).toMatchObject({ totalItems: 3, completed: 1, running: 0 });
      const [a, b] = await Promise.all([leaseOne(backend()), leaseOne(backend())]);
      if (!a || !b) throw new Error('no leases');
      await backend().commit(stepCommit(a, retry(a.item, 0)));
      await backend().commit(stepCommit(b, failed()));
      const metrics = await backend().metrics.get('me-1');
      expect(metrics).toMatchObject({ completed: 1, failed: 1, retries: 1 });
      expect(metrics?.nodes['start']).toMatchObject({ count: 1, totalMs: 7, maxMs: 7 });
      (metrics as { completed: number }).completed = 99;
      expect((await backend().metrics.get('me-1'))?.completed).toBe(1);
    });

    it('events: appended with the change, strictly increasing seq, read after a seq with a limit', async () => {
      const lease = await startAndLease(backend(), testRun('ev-1'));
      await backend().commit(stepCommit(lease, advance({ output: 42 })));
      const events = await backend().events.read('ev-1', 0);
      expect(events.length).toBeGreaterThanOrEqual(3);
      expect(events.every((event) => event.runId === 'ev-1')).toBe(true);
      for (let i = 1; i < events.length; i++)
        expect(events[i]?.seq).toBeGreaterThan(events[i - 1]?.seq ?? Infinity);
      const types = events.map((event) => event.type);
      expect(types).toContain('step.started');
      expect(types).toContain('step.committed');
      const statuses = events.filter((event) => event.type === 'run.status').map((event) => event.status);
      expect(statuses.at(-1)).toBe('completed');
      expect(types.indexOf('step.started')).toBeLessThan(types.indexOf('step.committed'));
      const firstSeq = events[0]?.seq ?? 0;
      expect(await backend().events.read('ev-1', firstSeq)).toEqual(events.slice(1));
      expect(await backend().events.read('ev-1', firstSeq, 1)).toEqual(events.slice(1, 2));
      expect(await backend().events.read('ev-1', events.at(-1)?.seq ?? 0)).toEqual([]);
      expect(await backend().events.read('missing', 0)).toEqual([]);
      (events[0] as { type: string }).type = 'changed';
      expect((await backend().events.read('ev-1', 0))[0]?.type).not.toBe('changed');
    });

    it('events: retries and failures are recorded with their error', async () => {
      const lease = await startAndLease(backend(), testRun('ev-2'));
      await backend().commit(stepCommit(lease, retry(lease.item, 0, testError('again'))));
      const second = await leaseOne(backend());
      await backend().commit(stepCommit(second, failed(testError('over'))));
      const events = await backend().events.read('ev-2', 0);
      expect(events.find((event) => event.type === 'step.retrying')).toMatchObject({
        itemId: 'ev-2:start',
        attempt: 1,
        error: { message: 'again' },
      });
      expect(events.find((event) => event.type === 'step.failed')).toMatchObject({
        itemId: 'ev-2:start',
        attempt: 2,
        error: { message: 'over' },
      });
      expect(events.filter((event) => event.type === 'run.status').at(-1)?.status).toBe('failed');
    });
  });
}
