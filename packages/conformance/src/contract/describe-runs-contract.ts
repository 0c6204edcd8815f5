import { describe, expect, it } from 'vitest';
import type { RunInfo } from '@floxide/distributed';
import type { BackendTestInit } from '../support/backend-test-init.js';
import { testRun } from '../support/test-records.js';
import { useBackend } from '../support/use-backend.js';

/** Contract of `startRun` and `backend.runs`: idempotent start, reads, newest-first pagination, filters, copies. */
export function describeRunsContract(init: BackendTestInit): void {
  describe('startRun and RunInfoStore', () => {
    const backend = useBackend(init);

    it('stores a queued run with its input, and reads a missing run as undefined', async () => {
      const run = testRun('run-1', { input: { order: 7 }, createdAt: 1_000 });
      const result = await backend().startRun(run);
      expect(result.created).toBe(true);
      expect(result.run).toMatchObject({
        runId: 'run-1',
        workflow: run.workflow,
        version: 1,
        status: 'queued',
      });
      expect(result.run.input).toEqual({ order: 7 });
      expect(result.run.createdAt).toBe(1_000);
      expect(await backend().runs.get('run-1')).toEqual(result.run);
      expect(await backend().runs.get('missing')).toBeUndefined();
    });

    it('keeps the deadline of a run', async () => {
      const deadlineAt = Date.now() + 60_000;
      await backend().startRun({ ...testRun('run-dl'), deadlineAt });
      expect((await backend().runs.get('run-dl'))?.deadlineAt).toBe(deadlineAt);
    });

    it('is idempotent by runId: a second start changes nothing and enqueues nothing', async () => {
      const first = await backend().startRun(testRun('run-2', { input: 'first' }));
      const second = await backend().startRun(testRun('run-2', { input: 'second', context: { n: 99 } }));
      expect(second.created).toBe(false);
      expect(second.run).toEqual(first.run);
      expect((await backend().runs.get('run-2'))?.input).toBe('first');
      expect((await backend().context.get('run-2'))?.state).toEqual({ n: 0 });
      expect(await backend().queue.pending('run-2')).toHaveLength(1);
    });

    it('deduplicates concurrent starts of one runId', async () => {
      const results = await Promise.all(
        Array.from({ length: 5 }, () => backend().startRun(testRun('run-race'))),
      );
      expect(results.filter((result) => result.created)).toHaveLength(1);
      expect(await backend().queue.pending('run-race')).toHaveLength(1);
    });

    it('lists runs newest first, paginated by cursor without gaps or repeats', async () => {
      for (let i = 0; i < 7; i++) await backend().startRun(testRun(`page-${i}`, { createdAt: 10_000 + i }));
      const seen: RunInfo[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await backend().runs.list(cursor === undefined ? { limit: 3 } : { limit: 3, cursor });
        expect(page.runs.length).toBeLessThanOrEqual(3);
        seen.push(...page.runs);
        cursor = page.nextCursor;
        pages++;
        expect(pages).toBeLessThanOrEqual(5);
      } while (cursor !== undefined);
      expect(seen.map((run) => run.runId)).toEqual([6, 5, 4, 3, 2, 1, 0].map((i) => `page-${i}`));
      expect(pages).toBe(3);
    });

    it('breaks createdAt ties by runId, consistently across pages', async () => {
      for (const id of ['tie-c', 'tie-a', 'tie-b', 'tie-d'])
        await backend().startRun(testRun(id, { createdAt: 5_000 }));
      const first = await backend().runs.list({ limit: 2 });
      expect(first.nextCursor).toBeDefined();
      const second = await backend().runs.list({
        limit: 2,
        ...(first.nextCursor ? { cursor: first.nextCursor } : {}),
      });
      const ids = [...first.runs, ...second.runs].map((run) => run.runId);
      expect(new Set(ids).size).toBe(4);
      expect([...ids].sort()).toEqual(['tie-a', 'tie-b', 'tie-c', 'tie-d']);
      expect(second.nextCursor).toBeUndefined();
    });

    it('filters by status and by workflow', async () => {
      await backend().startRun(testRun('f-1', { workflow: 'orders', createdAt: 1 }));
      await backend().startRun(testRun('f-2', { workflow: 'orders', createdAt: 2 }));
      await backend().startRun(testRun('f-3', { workflow: 'billing', createdAt: 3 }));
      await backend().control('f-2', 'pause');
      const orders = await backend().runs.list({ workflow: 'orders' });
      expect(orders.runs.map((run) => run.runId)).toEqual(['f-2', 'f-1']);
      const paused = await backend().runs.list({ status: 'paused' });
      expect(paused.runs.map((run) => run.runId)).toEqual(['f-2']);
      const queuedOrders = await backend().runs.list({ status: 'queued', workflow: 'orders' });
      expect(queuedOrders.runs.map((run) => run.runId)).toEqual(['f-1']);
      expect((await backend().runs.list({ workflow: 'none' })).runs).toEqual([]);
    });

    it('paginates a filtered list', async () => {
      for (let i = 0; i < 5; i++) {
        await backend().startRun(
          testRun(`pf-${i}`, { workflow: i % 2 === 0 ? 'even' : 'odd', createdAt: 100 + i }),
        );
      }
      const first = await backend().runs.list({ workflow: 'even', limit: 2 });
      expect(first.runs.map((run) => run.runId)).toEqual(['pf-4', 'pf-2']);
      const cursor = first.nextCursor;
      expect(cursor).toBeDefined();
      const second = await backend().runs.list({ workflow: 'even', limit: 2, ...(cursor ? { cursor } : {}) });
      expect(second.runs.map((run) => run.runId)).toEqual(['pf-0']);
      expect(second.nextCursor).toBeUndefined();
    });

    it('returns copies: mutating a returned record does not change the store', async () => {
      const { run } = await backend().startRun(testRun('copy-1', { input: { nested: { a: 1 } } }));
      (run as { status: string }).status = 'completed';
      (run.input as { nested: { a: number } }).nested.a = 2;
      const read = await backend().runs.get('copy-1');
      expect(read?.status).toBe('queued');
      expect(read?.input).toEqual({ nested: { a: 1 } });
      (read as { workflow: string }).workflow = 'changed';
      const listed = await backend().runs.list();
      expect(listed.runs[0]?.workflow).not.toBe('changed');
      listed.runs.pop();
      expect((await backend().runs.list()).runs).toHaveLength(1);
    });
  });
}
