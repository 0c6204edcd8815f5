import { describe, expect, it } from 'vitest';
import type { BackendTestInit } from '../support/backend-test-init.js';
import { sleep, waitFor } from '../support/wait-for.js';
import { useEngineHarness } from './engine-harness.js';
import { gatedWorkflow, Probe, slowWorkflow } from './scenario-workflows.js';

/** Runs controlled from outside while workers execute them: pause/resume and cancel mid-node. */
export function describeControlScenarios(init: BackendTestInit): void {
  describe('control', () => {
    const harness = useEngineHarness(init);

    it('pause: the in-flight step finishes but no further step starts until resume', async () => {
      const probe = new Probe();
      let open: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const wf = gatedWorkflow(probe, gate);
      const orchestrator = harness.orchestrator([wf]);
      await harness.startWorker({ workflows: [wf], concurrency: 2 });
      const runId = await orchestrator.start(wf, 1);
      await waitFor(() => probe.count('first:start') === 1, { message: 'first node started' });
      await orchestrator.pause(runId);
      expect(await orchestrator.status(runId)).toBe('paused');
      open();
      // The in-flight step commits; its successor waits.
      await waitFor(
        async () =>
          (await orchestrator.workItems(runId)).some((s) => s.node === 'first' && s.status === 'completed'),
        {
          message: 'first step committed while paused',
        },
      );
      await sleep(400);
      expect(probe.count('second')).toBe(0);
      expect(await orchestrator.status(runId)).toBe('paused');
      await orchestrator.resume(runId);
      const info = await orchestrator.wait(runId, { timeoutMs: 15_000 });
      expect(info).toMatchObject({ status: 'completed', output: { done: 20 } });
      expect(probe.count('second')).toBe(1);
    });

    it('pause before any worker leases: nothing runs until resume', async () => {
      const probe = new Probe();
      const wf = gatedWorkflow(probe, Promise.resolve());
      const orchestrator = harness.orchestrator([wf]);
      const runId = await orchestrator.start(wf, 2);
      await orchestrator.pause(runId);
      await harness.startWorker({ workflows: [wf] });
      await sleep(400);
      expect(probe.count('first:start')).toBe(0);
      await orchestrator.resume(runId);
      expect(await orchestrator.wait(runId, { timeoutMs: 15_000 })).toMatchObject({
        status: 'completed',
        output: { done: 30 },
      });
    });

    it('cancel mid-node: the node’s signal aborts, no successor runs and the run stays cancelled', async () => {
      const probe = new Probe();
      const wf = slowWorkflow(probe, { stallNext: true, stallMs: 30_000 });
      const orchestrator = harness.orchestrator([wf]);
      await harness.startWorker({ workflows: [wf] });
      const runId = await orchestrator.start(wf, 1);
      await waitFor(() => probe.count('slow:start') === 1, { message: 'slow node started' });
      await orchestrator.cancel(runId);
      expect(await orchestrator.status(runId)).toBe('cancelled');
      await waitFor(() => probe.count('slow:aborted') === 1, { message: 'the node signal to abort' });
      const info = await orchestrator.wait(runId, { timeoutMs: 15_000 });
      expect(info.status).toBe('cancelled');
      await sleep(300);
      expect(probe.count('finish')).toBe(0);
      expect(probe.count('slow:stall-ended')).toBe(0);
      const after = await orchestrator.get(runId);
      expect(after.status).toBe('cancelled');
      expect(after.output).toBeUndefined();
      expect(await harness.backend().queue.pending(runId)).toEqual([]);
    });
  });
}
