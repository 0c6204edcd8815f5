import { describe, expect, it } from 'vitest';
import type { BackendTestInit } from '../support/backend-test-init.js';
import { waitFor } from '../support/wait-for.js';
import { useEngineHarness } from './engine-harness.js';
import { Probe, slowWorkflow } from './scenario-workflows.js';

/** A worker that goes away mid-step loses nothing: another worker finishes its items. */
export function describeRecoveryScenarios(init: BackendTestInit): void {
  describe('recovery', () => {
    const harness = useEngineHarness(init);

    it('a worker closed mid-step releases its lease and another worker finishes the run', async () => {
      const probe = new Probe();
      const wf = slowWorkflow(probe, { stallNext: true, stallMs: 30_000 });
      const orchestrator = harness.orchestrator([wf]);
      const first = await harness.startWorker({ workflows: [wf], id: 'conformance-a' });
      const runId = await orchestrator.start(wf, 4);
      await waitFor(() => probe.count('slow:start') === 1, { message: 'worker A running the slow node' });
      await first.close({ graceMs: 0 });
      expect(probe.count('slow:aborted')).toBe(1);
      expect(await orchestrator.status(runId)).toBe('running');
      await harness.startWorker({ workflows: [wf], id: 'conformance-b' });
      const info = await orchestrator.wait(runId, { timeoutMs: 15_000 });
      expect(info).toMatchObject({ status: 'completed', output: { finished: 50 } });
      expect(info.output).toEqual(await wf.run(4));
      expect(probe.count('finish')).toBe(2);
      expect(await orchestrator.errors(runId)).toEqual([]);
    });

    it('a worker that stops heartbeating loses its lease on expiry and another worker finishes the run', async () => {
      const probe = new Probe();
      const wf = slowWorkflow(probe, { stallNext: true, stallMs: 30_000 });
      const orchestrator = harness.orchestrator([wf]);
      // Worker A never extends its 400 ms leases: to the backend it looks like a crashed process.
      await harness.startWorker({
        workflows: [wf],
        id: 'conformance-silent',
        leaseMs: 400,
        heartbeatMs: 60_000,
      });
      const runId = await orchestrator.start(wf, 2);
      await waitFor(() => probe.count('slow:start') === 1, { message: 'worker A running the slow node' });
      await harness.startWorker({ workflows: [wf], id: 'conformance-rescuer' });
      const info = await orchestrator.wait(runId, { timeoutMs: 15_000 });
      expect(info).toMatchObject({ status: 'completed', output: { finished: 30 } });
      expect(probe.count('slow:start')).toBe(2);
      expect(probe.count('finish')).toBe(1);
      const slow = (await orchestrator.workItems(runId)).find((state) => state.node === 'slow');
      expect(slow?.status).toBe('completed');
    });
  });
}
