import { describe, expect, it } from 'vitest';
import { isFloxideError, node, RetryPolicy, Transition, workflow } from '@floxide/core';
import type { Backend, RetentionPolicy } from '@floxide/distributed';
import { DistributedOrchestrator, DistributedWorker } from '@floxide/distributed';
import { SUITE_TEST_TIMEOUT_MS, type BackendTestInit } from '../support/backend-test-init.js';
import { sleep, waitFor } from '../support/wait-for.js';

/** A {@link BackendTestInit} that can also create a backend with a retention policy. */
export interface RetentionTestInit extends BackendTestInit {
  /** Like `create()`, with this `retention` option (and retention checked at least every 200 ms). */
  createWithRetention(retention: RetentionPolicy): Promise<Backend>;
}

/** Everything a backend holds of a run, read through the public stores. */
async function holdings(backend: Backend, runId: string): Promise<Record<string, unknown>> {
  return {
    run: await backend.runs.get(runId),
    items: (await backend.items.list(runId)).length,
    errors: (await backend.errors.list(runId)).length,
    events: (await backend.events.read(runId, 0)).length,
    context: await backend.context.get(runId),
    metrics: await backend.metrics.get(runId),
    pending: (await backend.queue.pending(runId)).length,
    listed: (await backend.runs.list({ limit: 100 })).runs.some((r) => r.runId === runId),
  };
}

/**
 * Retention: a finished run and everything it owns is deleted once its retention time passed (by the
 * backend's clock); a live run loses nothing; reading a deleted run is `RunNotFoundError`.
 */
export function describeRetentionScenarios(init: RetentionTestInit): void {
  describe(`retention scenarios: ${init.name}`, { timeout: SUITE_TEST_TIMEOUT_MS }, () => {
    it('deletes everything of a finished run after its time, and nothing of a live one', async () => {
      const backend = await init.createWithRetention({
        completedMs: 300,
        failedMs: 300,
        cancelledMs: 300,
        workflows: { kept: { completedMs: Infinity } },
      });
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const fan = node({ name: 'fan', process: () => Transition.nextAll([1, 2, 3]) });
      const flaky = node({
        name: 'flaky',
        retry: RetryPolicy.fixed({ maxAttempts: 2, initialDelayMs: 10 }),
        process: (n: number, ctx) => {
          if (ctx.attempt === 1) throw new Error('first attempt fails');
          return n * 2;
        },
      });
      const sum = node({ name: 'sum', process: (values: number[]) => values.reduce((a, b) => a + b, 0) });
      const short = workflow({ name: 'short' })
        .start(fan)
        .join(sum, { from: fan })
        .edge(fan, flaky)
        .edge(flaky, sum)
        .build();
      const kept = workflow({ name: 'kept' })
        .start(node({ name: 'one', process: () => 'kept' }))
        .build();
      const wait = node({
        name: 'wait',
        process: async () => {
          await gate;
          return 'late';
        },
      });
      const live = workflow({ name: 'live' }).start(wait).build();
      const orchestrator = new DistributedOrchestrator({ backend, workflows: [short, kept, live] });
      const worker = new DistributedWorker({
        backend,
        workflows: [short, kept, live],
        concurrency: 4,
        leaseMs: 2_000,
        heartbeatMs: 100,
        idleWaitMs: 100,
      });
      try {
        await worker.start();
        const liveRun = await orchestrator.start(live, null);
        const doneRun = await orchestrator.start(short, null);
        const keptRun = await orchestrator.start(kept, null);
        const cancelled = await orchestrator.start(kept, null, { runId: 'to-cancel' });
        expect(await orchestrator.wait(doneRun, { timeoutMs: 20_000 })).toMatchObject({
          status: 'completed',
          output: 12,
        });
        expect((await orchestrator.wait(keptRun, { timeoutMs: 20_000 })).status).toBe('completed');
        await orchestrator.cancel(cancelled).catch(() => undefined);
        const before = await holdings(backend, doneRun);
        expect(before).toMatchObject({ items: 5, listed: true });
        expect(before['errors']).toBeGreaterThan(0);
        await waitFor(async () => (await backend.runs.get(doneRun)) === undefined, {
          timeoutMs: 15_000,
          message: 'the completed run was deleted by retention',
        });
        expect(await holdings(backend, doneRun)).toEqual({
          run: undefined,
          items: 0,
          errors: 0,
          events: 0,
          context: undefined,
          metrics: undefined,
          pending: 0,
          listed: false,
        });
        const error = await orchestrator.get(doneRun).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isFloxideError(error, 'RUN_NOT_FOUND')).toBe(true);
        expect((error as Error).message).toMatch(/retention/);
        // Another finished status goes too; a per-workflow override keeps completed runs of 'kept'.
        if ((await orchestrator.status(cancelled).catch(() => 'gone')) !== 'completed') {
          await waitFor(async () => (await backend.runs.get(cancelled)) === undefined, {
            timeoutMs: 15_000,
            message: 'the cancelled run was deleted by retention',
          });
        }
        await sleep(600);
        expect((await backend.runs.get(keptRun))?.status).toBe('completed');
        // The live run kept everything, and still completes.
        const alive = await holdings(backend, liveRun);
        expect(alive).toMatchObject({ items: 1, listed: true });
        expect((alive['run'] as { status: string }).status).toBe('running');
        release();
        expect(await orchestrator.wait(liveRun, { timeoutMs: 20_000 })).toMatchObject({
          status: 'completed',
          output: 'late',
        });
      } finally {
        release();
        await worker.close({ graceMs: 0 });
        await init.destroy(backend);
      }
    });
  });
}
