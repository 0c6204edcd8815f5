import { describe, expect, it } from 'vitest';
import { node, workflow } from '@floxide/core';
import type { BackendTestInit } from '../support/backend-test-init.js';
import { useEngineHarness } from './engine-harness.js';
import { failingWorkflow, outageWorkflow, retryWorkflow } from './scenario-workflows.js';

/** Whole workflows that fail: retry then success, exhausted retries with and without fallback, deadline. */
export function describeFailureScenarios(init: BackendTestInit): void {
  describe('failures', () => {
    const harness = useEngineHarness(init);

    it('retries a failing node as durable delayed items until it succeeds', async () => {
      const wf = retryWorkflow(2);
      const orchestrator = harness.orchestrator([wf]);
      await harness.startWorker({ workflows: [wf] });
      const runId = await orchestrator.start(wf, 7);
      const info = await orchestrator.wait(runId, { timeoutMs: 15_000 });
      expect(info).toMatchObject({ status: 'completed', output: { value: 7, attempt: 3 } });
      expect(info.output).toEqual(await wf.run(7));
      expect(await orchestrator.metrics(runId)).toMatchObject({ retries: 2, completed: 1, failed: 0 });
      const errors = await orchestrator.errors(runId);
      expect(errors.map((record) => [record.node, record.attempt])).toEqual([
        ['flaky', 1],
        ['flaky', 2],
      ]);
      expect((await orchestrator.workItems(runId))[0]).toMatchObject({ status: 'completed', attempts: 3 });
    });

    it('takes the on-failure edge with the original input once retries are exhausted', async () => {
      const wf = failingWorkflow({ fallback: true });
      const orchestrator = harness.orchestrator([wf]);
      await harness.startWorker({ workflows: [wf] });
      const runId = await orchestrator.start(wf, 25);
      const info = await orchestrator.wait(runId, { timeoutMs: 15_000 });
      expect(info).toMatchObject({ status: 'completed', output: 'refunded:25' });
      expect(info.output).toEqual(await wf.run(25));
      expect((await orchestrator.errors(runId)).map((record) => [record.node, record.attempt])).toEqual([
        ['charge', 1],
        ['charge', 2],
      ]);
      const items = await orchestrator.workItems(runId);
      expect(items.map((state) => [state.node, state.status])).toEqual([
        ['charge', 'failed'],
        ['refund', 'completed'],
      ]);
      expect(await orchestrator.metrics(runId)).toMatchObject({ retries: 1, failed: 1, completed: 1 });
    });

    it('fails the run with error records and a dead item when retries are exhausted without fallback', async () => {
      const wf = failingWorkflow({ fallback: false });
      const orchestrator = harness.orchestrator([wf]);
      await harness.startWorker({ workflows: [wf] });
      const runId = await orchestrator.start(wf, 3);
      const info = await orchestrator.wait(runId, { timeoutMs: 15_000 });
      expect(info.status).toBe('failed');
      expect(info.output).toBeUndefined();
      expect(info.error?.message).toContain('card declined for 3');
      expect(info.finishedAt).toBeTypeOf('number');
      const errors = await orchestrator.errors(runId);
      expect(errors).toHaveLength(2);
      expect(
        errors.every((record) => record.node === 'charge' && record.error.message.includes('card declined')),
      ).toBe(true);
      expect((await orchestrator.workItems(runId)).map((state) => state.status)).toEqual(['dead']);
      await expect(wf.run(3)).rejects.toThrow();
    });

    it('retryFailed revives a failed run: its dead item runs again as a new attempt and completes', async () => {
      const outage = { down: true };
      const wf = outageWorkflow(outage);
      const orchestrator = harness.orchestrator([wf]);
      await harness.startWorker({ workflows: [wf] });
      const runId = await orchestrator.start(wf, 9);
      expect((await orchestrator.wait(runId, { timeoutMs: 15_000 })).status).toBe('failed');
      outage.down = false;
      expect((await orchestrator.retryFailed(runId)).status).toBe('running');
      const info = await orchestrator.wait(runId, { timeoutMs: 15_000 });
      expect(info).toMatchObject({ status: 'completed', output: 'ok:9' });
      expect((await orchestrator.workItems(runId))[0]).toMatchObject({ status: 'completed', attempts: 2 });
      expect(await orchestrator.errors(runId)).toHaveLength(1);
    });

    it('fails a run that overruns its deadline with DEADLINE_EXCEEDED, aborting the running node', async () => {
      let aborted = false;
      const sleeper = node({
        name: 'sleeper',
        async process(n: number, ctx) {
          ctx.signal.addEventListener('abort', () => (aborted = true), { once: true });
          await ctx.sleep(30_000);
          return n;
        },
      });
      const wf = workflow({ name: 'conformance-deadline', version: 1 }).start(sleeper).build();
      const orchestrator = harness.orchestrator([wf]);
      await harness.startWorker({ workflows: [wf] });
      const startedAt = Date.now();
      const runId = await orchestrator.start(wf, 1, { deadlineMs: 400 });
      const info = await orchestrator.wait(runId, { timeoutMs: 15_000 });
      expect(info.status).toBe('failed');
      expect(info.error?.code).toBe('DEADLINE_EXCEEDED');
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(350);
      expect(aborted).toBe(true);
      expect(
        (await orchestrator.errors(runId)).some((record) => record.error.code === 'DEADLINE_EXCEEDED'),
      ).toBe(true);
    });
  });
}
