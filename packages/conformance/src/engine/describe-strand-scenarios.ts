import { describe, expect, it } from 'vitest';
import type { BackendTestInit } from '../support/backend-test-init.js';
import { sleep, waitFor } from '../support/wait-for.js';
import { useEngineHarness } from './engine-harness.js';
import { Probe } from './scenario-workflows.js';
import { fanOutJoinWorkflow } from './scenario-workflows.js';
import { loopWorkflow, quickWorkflow } from './strand-workflows.js';

/** How long a strand may hold a slot in the fairness scenario (ms). */
const YIELD_MS = 200;

/**
 * Long chains, run with strands on and with `strands: false`: pause, cancel and `retryFailed` in the middle
 * of a strand stop it at its next commit; a 10,000-step chain does not keep a second run from starting;
 * fan-out and join inside a strand; every step exactly once.
 */
export function describeStrandScenarios(init: BackendTestInit): void {
  for (const strands of [true, false]) {
    describe(`strands ${strands ? 'on' : 'off'}`, () => {
      const harness = useEngineHarness(init);
      const worker = { strands, strandMaxSteps: 10_000, concurrency: 1 } as const;

      it('a 200-step chain runs every step once, in order', async () => {
        const probe = new Probe();
        const wf = loopWorkflow(probe);
        const orchestrator = harness.orchestrator([wf]);
        await harness.startWorker({ ...worker, workflows: [wf] });
        const runId = await orchestrator.start(wf, { i: 0, n: 200 });
        const info = await orchestrator.wait(runId, { timeoutMs: 50_000 });
        expect(info).toMatchObject({ status: 'completed', output: { steps: 200 } });
        const steps = probe.events.filter((e) => e.startsWith('step:'));
        expect(steps).toEqual(Array.from({ length: 200 }, (_, i) => `step:${i}`));
      });

      it('pause mid-strand: no step starts after pause returns, until resume', async () => {
        const probe = new Probe();
        const wf = loopWorkflow(probe, { stepMs: 2 });
        const orchestrator = harness.orchestrator([wf]);
        await harness.startWorker({ ...worker, workflows: [wf] });
        const runId = await orchestrator.start(wf, { i: 0, n: 10_000 });
        await waitFor(() => probe.count('step') >= 20, { message: '20 steps' });
        await orchestrator.pause(runId);
        // The step running when pause returned may still commit; nothing after it starts.
        const atPause = probe.count('step');
        await sleep(400);
        expect(probe.count('step')).toBeLessThanOrEqual(atPause + 1);
        expect(await orchestrator.status(runId)).toBe('paused');
        const before = probe.count('step');
        await orchestrator.resume(runId);
        await waitFor(() => probe.count('step') >= before + 20, { message: '20 steps after resume' });
        await orchestrator.cancel(runId);
      });

      it('cancel mid-strand: no step starts or commits after cancel returns', async () => {
        const probe = new Probe();
        const wf = loopWorkflow(probe, { stepMs: 2 });
        const orchestrator = harness.orchestrator([wf]);
        await harness.startWorker({ ...worker, workflows: [wf] });
        const runId = await orchestrator.start(wf, { i: 0, n: 10_000 });
        await waitFor(() => probe.count('step') >= 20, { message: '20 steps' });
        await orchestrator.cancel(runId);
        const atCancel = probe.count('step');
        const committed = (await orchestrator.workItems(runId)).filter((s) => s.status === 'completed');
        await sleep(400);
        expect(probe.count('step')).toBeLessThanOrEqual(atCancel + 1);
        const after = (await orchestrator.workItems(runId)).filter((s) => s.status === 'completed');
        expect(after.length).toBe(committed.length);
        expect(await orchestrator.status(runId)).toBe('cancelled');
        expect(await harness.backend().queue.pending(runId)).toEqual([]);
      });

      it('retryFailed after a failure mid-strand: the chain goes on from the failed step, each step once', async () => {
        const probe = new Probe();
        const wf = loopWorkflow(probe, { failAt: 50 });
        const orchestrator = harness.orchestrator([wf]);
        await harness.startWorker({ ...worker, workflows: [wf] });
        const runId = await orchestrator.start(wf, { i: 0, n: 100 });
        const failed = await orchestrator.wait(runId, { timeoutMs: 30_000 });
        expect(failed.status).toBe('failed');
        await sleep(200);
        expect(probe.count('step')).toBe(51);
        await orchestrator.retryFailed(runId);
        const info = await orchestrator.wait(runId, { timeoutMs: 30_000 });
        expect(info).toMatchObject({ status: 'completed', output: { steps: 100 } });
        for (let i = 0; i < 100; i += 1) expect(probe.count(`step:${i}`)).toBe(i === 50 ? 2 : 1);
      });

      it('a 10,000-step chain on one slot does not delay a second run past the yield bound', async () => {
        const probe = new Probe();
        const long = loopWorkflow(probe, { stepMs: 1 });
        const quick = quickWorkflow(probe);
        const orchestrator = harness.orchestrator([long, quick]);
        await harness.startWorker({ ...worker, strandMaxMs: YIELD_MS, workflows: [long, quick] });
        const longRun = await orchestrator.start(long, { i: 0, n: 10_000 });
        await waitFor(() => probe.count('step') >= 20, { message: '20 steps of the long chain' });
        const startedAt = Date.now();
        const quickRun = await orchestrator.start(quick, 7);
        await waitFor(() => probe.count('quick') === 1, { timeoutMs: 20_000, message: 'the second run' });
        const delay = Date.now() - startedAt;
        // Without the bound the second run would wait for the whole chain (10,000 steps of ≥ 1 ms).
        expect(delay).toBeLessThan(YIELD_MS + 3_000);
        expect(await orchestrator.wait(quickRun, { timeoutMs: 10_000 })).toMatchObject({
          status: 'completed',
        });
        expect(await orchestrator.status(longRun)).toBe('running');
        await orchestrator.cancel(longRun);
      });

      it('fan-out and join on one slot: the result matches the local engine', async () => {
        const wf = fanOutJoinWorkflow();
        const orchestrator = harness.orchestrator([wf]);
        await harness.startWorker({ ...worker, workflows: [wf] });
        const runId = await orchestrator.start(wf, 12);
        const info = await orchestrator.wait(runId, { timeoutMs: 30_000 });
        expect(info).toMatchObject({ status: 'completed', output: await wf.run(12) });
        const items = await orchestrator.workItems(runId);
        expect(items).toHaveLength(14);
        expect(items.every((s) => s.status === 'completed' && s.attempts === 1)).toBe(true);
      });
    });
  }
}
