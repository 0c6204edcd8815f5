import { describe, expect, it } from 'vitest';
import type { DistributedOrchestrator, RunInfo } from '@floxide/distributed';
import type { BackendTestInit } from '../support/backend-test-init.js';
import { waitFor } from '../support/wait-for.js';
import { ChildProbe, childRunWorkflows } from './child-workflows.js';
import { useEngineHarness } from './engine-harness.js';

/** The run's child runs (ids under `<runId>/`, `parentRunId` the run), oldest attempt first. */
async function childrenOf(orchestrator: DistributedOrchestrator, runId: string): Promise<RunInfo[]> {
  const page = await orchestrator.runs({ runIdPrefix: `${runId}/`, limit: 100 });
  return page.runs.filter((run) => run.parentRunId === runId);
}

/** The parent once it is `waiting` on a child run, with that child. */
async function waitingOnChild(
  orchestrator: DistributedOrchestrator,
  runId: string,
): Promise<{ readonly parent: RunInfo; readonly child: RunInfo }> {
  return waitFor(
    async () => {
      const parent = await orchestrator.get(runId);
      const [child] = await childrenOf(orchestrator, runId);
      return parent.status === 'waiting' && child ? { parent, child } : undefined;
    },
    { timeoutMs: 15_000, message: `run ${runId} waiting on its child run` },
  );
}

/**
 * Child runs (`subflow` on distributed workers): the child is a run of its own, listed with its parent,
 * while the parent's item waits parked (no lease, no worker slot: one single-slot worker runs both); its
 * output is the node's output, its failure the node's (retry starts a new child run, on-failure edge);
 * cancelling the parent cancels the child; a child finished without telling its parent is found by the
 * parent's periodic check. Workers and orchestrators are given the parent only.
 */
export function describeChildRunScenarios(init: BackendTestInit): void {
  describe('child runs', () => {
    const harness = useEngineHarness(init);

    it('the child is its own run and the parent waits on it without a lease or slot, then takes its output', async () => {
      const probe = new ChildProbe();
      const { parent } = childRunWorkflows(probe, { name: 'output' });
      const orchestrator = harness.orchestrator([parent]);
      probe.close();
      // One slot: the child's steps can run only because the waiting parent holds none.
      await harness.startWorker({ workflows: [parent], concurrency: 1 });
      const runId = await orchestrator.start(parent, { n: 5 });
      await waitFor(() => probe.runs.get('work'), { message: 'the child step' });
      const { parent: waiting, child } = await waitingOnChild(orchestrator, runId);
      expect(waiting.waitingFor).toEqual([`floxide.child:${child.runId}`]);
      expect((await orchestrator.metrics(runId)).running).toBe(0);
      expect(child).toMatchObject({ parentRunId: runId, workflow: 'conformance-child-output' });
      expect(['queued', 'running']).toContain(child.status);
      // Pause and resume reach the child too.
      expect((await orchestrator.pause(runId)).status).toBe('paused');
      expect((await orchestrator.get(child.runId)).status).toBe('paused');
      await orchestrator.resume(runId);
      expect(['queued', 'running']).toContain((await orchestrator.get(child.runId)).status);
      probe.open();
      const info = await orchestrator.wait(runId, { timeoutMs: 15_000 });
      expect(info).toMatchObject({ status: 'completed', output: { result: 11 } });
      expect(await orchestrator.get(child.runId)).toMatchObject({ status: 'completed', output: 11 });
      expect(probe.runs.get('prepare')).toBe(1);
      expect(probe.childRuns).toEqual([child.runId]);
      // The local engine runs the child in-process, to the same output.
      expect(info.output).toEqual(await parent.run({ n: 5 }));
    });

    it('a failed child fails the node: a retry starts a new child run, the last failure takes the on-failure edge', async () => {
      const probe = new ChildProbe();
      const { parent } = childRunWorkflows(probe, { name: 'retry', failures: 1, attempts: 2 });
      const orchestrator = harness.orchestrator([parent]);
      await harness.startWorker({ workflows: [parent], concurrency: 2 });
      const runId = await orchestrator.start(parent, { n: 1 });
      const info = await orchestrator.wait(runId, { timeoutMs: 15_000 });
      expect(info).toMatchObject({ status: 'completed', output: { result: 3 } });
      const children = await childrenOf(orchestrator, runId);
      expect(children.map((c) => c.status).sort()).toEqual(['completed', 'failed']);
      expect(new Set(probe.childRuns).size).toBe(2);
      expect((await orchestrator.errors(runId)).map((r) => r.error.code)).toContain('CHILD_RUN_FAILED');

      const rescueProbe = new ChildProbe();
      const rescued = childRunWorkflows(rescueProbe, { name: 'rescue', failures: 5, fallback: true });
      const second = harness.orchestrator([rescued.parent]);
      await harness.startWorker({ workflows: [rescued.parent] });
      const rescuedId = await second.start(rescued.parent, { n: 1 });
      expect(await second.wait(rescuedId, { timeoutMs: 15_000 })).toMatchObject({
        status: 'completed',
        output: { rescued: true },
      });
      expect(rescueProbe.runs.get('finish')).toBeUndefined();
    });

    it('cancelling the parent cancels its waiting child; a child cancelled on its own fails the node', async () => {
      const probe = new ChildProbe();
      const { parent } = childRunWorkflows(probe, { name: 'cancel', fallback: true });
      const orchestrator = harness.orchestrator([parent]);
      probe.close();
      await harness.startWorker({ workflows: [parent], concurrency: 2, childCheckMs: 300 });
      const runId = await orchestrator.start(parent, { n: 2 });
      const { child } = await waitingOnChild(orchestrator, runId);
      expect((await orchestrator.cancel(runId)).status).toBe('cancelled');
      expect((await orchestrator.get(child.runId)).status).toBe('cancelled');
      probe.open();

      // Cancelled behind the orchestrator's back (no delivery): the parent's periodic check finds it.
      probe.close();
      const otherId = await orchestrator.start(parent, { n: 3 });
      const other = await waitingOnChild(orchestrator, otherId);
      await harness.backend().control(other.child.runId, 'cancel');
      probe.open();
      const info = await orchestrator.wait(otherId, { timeoutMs: 15_000 });
      expect(info).toMatchObject({ status: 'completed', output: { rescued: true } });
      expect((await orchestrator.errors(otherId)).map((r) => r.error.code)).toContain('CHILD_RUN_FAILED');
    });
  });
}
