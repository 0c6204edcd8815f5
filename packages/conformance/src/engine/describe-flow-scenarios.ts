import { describe, expect, it } from 'vitest';
import type { RunEvent } from '@floxide/distributed';
import type { BackendTestInit } from '../support/backend-test-init.js';
import { useEngineHarness } from './engine-harness.js';
import { counterWorkflow, fanOutJoinWorkflow, linearWorkflow, routeWorkflow } from './scenario-workflows.js';

/** Whole workflows that succeed: chain, route, 100-branch join, exact counters, several workers on one run. */
export function describeFlowScenarios(init: BackendTestInit): void {
  describe('flows', () => {
    const harness = useEngineHarness(init);

    it('runs a linear chain to the same output as the local engine', async () => {
      const wf = linearWorkflow();
      const orchestrator = harness.orchestrator([wf]);
      await harness.startWorker({ workflows: [wf] });
      const runId = await orchestrator.start(wf, 4);
      const info = await orchestrator.wait(runId, { timeoutMs: 15_000 });
      expect(info).toMatchObject({ runId, status: 'completed', output: 'result:10' });
      expect(info.output).toEqual(await wf.run(4));
      expect(await orchestrator.metrics(runId)).toMatchObject({
        totalItems: 3,
        completed: 3,
        failed: 0,
        running: 0,
      });
      expect((await orchestrator.workItems(runId)).map((state) => [state.node, state.status])).toEqual([
        ['inc', 'completed'],
        ['double', 'completed'],
        ['label', 'completed'],
      ]);
    });

    it('streams the run’s events in seq order through watch, ending with the final status', async () => {
      const wf = linearWorkflow();
      const orchestrator = harness.orchestrator([wf]);
      await harness.startWorker({ workflows: [wf] });
      const runId = await orchestrator.start(wf, 1);
      const events: RunEvent[] = [];
      for await (const event of orchestrator.watch(runId, { signal: AbortSignal.timeout(15_000) }))
        events.push(event);
      for (let i = 1; i < events.length; i++)
        expect(events[i]?.seq).toBeGreaterThan(events[i - 1]?.seq ?? Infinity);
      expect(events.at(-1)).toMatchObject({ type: 'run.status', status: 'completed' });
      const committed = events.filter((event) => event.type === 'step.committed').map((event) => event.node);
      expect(committed).toEqual(['inc', 'double', 'label']);
    });

    it('follows route arms by discriminant', async () => {
      const wf = routeWorkflow();
      const orchestrator = harness.orchestrator([wf]);
      await harness.startWorker({ workflows: [wf], concurrency: 2 });
      const even = await orchestrator.start(wf, 8);
      const odd = await orchestrator.start(wf, 5);
      expect((await orchestrator.wait(even, { timeoutMs: 15_000 })).output).toEqual({
        arm: 'even',
        value: 4,
      });
      expect((await orchestrator.wait(odd, { timeoutMs: 15_000 })).output).toEqual({ arm: 'odd', value: 15 });
      expect((await orchestrator.workItems(odd)).map((state) => state.node)).toEqual(['classify', 'triple']);
    });

    it('fans out to 100 branches and joins their outputs in fan-out order', async () => {
      const wf = fanOutJoinWorkflow();
      const orchestrator = harness.orchestrator([wf]);
      await harness.startPool({ workflows: [wf], size: 2, concurrency: 8 });
      const runId = await orchestrator.start(wf, 100);
      const info = await orchestrator.wait(runId, { timeoutMs: 30_000 });
      expect(info.status).toBe('completed');
      const squares = Array.from({ length: 100 }, (_, i) => i * i);
      expect(info.output).toEqual({ count: 100, sum: squares.reduce((a, b) => a + b, 0), values: squares });
      expect(info.output).toEqual(await wf.run(100));
      expect(await orchestrator.metrics(runId)).toMatchObject({ totalItems: 102, completed: 102 });
    });

    it('increments a counter once per branch over 200 branches, ending exactly at 200', async () => {
      const wf = counterWorkflow();
      const orchestrator = harness.orchestrator([wf]);
      await harness.startPool({ workflows: [wf], size: 4, concurrency: 4 });
      const runId = await orchestrator.start(wf, 200);
      const info = await orchestrator.wait(runId, { timeoutMs: 30_000 });
      expect(info.status).toBe('completed');
      expect(info.output).toMatchObject({ hits: 200, branches: 200 });
      const stored = await harness.backend().context.get(runId);
      expect(stored?.state).toEqual({ hits: 200 });
    });

    it('gives the same output with 4 workers on one run as the local engine', async () => {
      const wf = counterWorkflow();
      const orchestrator = harness.orchestrator([wf]);
      await harness.startPool({ workflows: [wf], size: 4, concurrency: 3 });
      const runId = await orchestrator.start(wf, 61);
      const info = await orchestrator.wait(runId, { timeoutMs: 30_000 });
      const local = await wf.run(61);
      expect(info.status).toBe('completed');
      expect(info.output).toEqual(local);
      expect(local).toMatchObject({ hits: 61, branches: 61, parity: 'odd' });
      // The four pool workers share the backend: each has registered through its heartbeat.
      expect(await orchestrator.workers()).toHaveLength(4);
    });
  });
}
