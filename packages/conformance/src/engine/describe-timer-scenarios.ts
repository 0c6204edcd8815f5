import { describe, expect, it } from 'vitest';
import type { BackendTestInit } from '../support/backend-test-init.js';
import { waitFor } from '../support/wait-for.js';
import { useEngineHarness } from './engine-harness.js';
import { linearWorkflow } from './scenario-workflows.js';
import { TimerProbe, timerFanOutWorkflow, timerWorkflow } from './timer-workflows.js';

/** Clock slack between the backend's clock and this process's (same host in CI) plus timer granularity. */
const SLACK_MS = 150;

/**
 * Durable timers (`Transition.next(value, { delayMs } | { at })`): the successor is a delayed item in the
 * backend, due by the backend's clock, held by no lease and no worker, and `RunInfo.waitingUntil` says when.
 */
export function describeTimerScenarios(init: BackendTestInit): void {
  describe('durable timers', () => {
    const harness = useEngineHarness(init);

    it('a run sleeping 2 s while its worker is closed and a new one started completes on time', async () => {
      const probe = new TimerProbe();
      const wf = timerWorkflow(probe, () => ({ delayMs: 2_000 }));
      const orchestrator = harness.orchestrator([wf]);
      const first = await harness.startWorker({ workflows: [wf], id: 'timer-a' });
      const before = Date.now();
      const runId = await orchestrator.start(wf, { tag: 'sleeper' });
      const waiting = await waitFor(
        async () => {
          const info = await orchestrator.get(runId);
          return info.waitingUntil === undefined ? undefined : info;
        },
        { message: 'the run waiting on its timer' },
      );
      expect(waiting.status).toBe('running');
      const dueAt = waiting.waitingUntil as number;
      expect(dueAt).toBeGreaterThanOrEqual(before + 2_000 - SLACK_MS);
      expect(dueAt).toBeLessThanOrEqual(Date.now() + 2_000 + SLACK_MS);
      await first.close({ graceMs: 0 });
      expect((await orchestrator.metrics(runId)).running).toBe(0);
      await harness.startWorker({ workflows: [wf], id: 'timer-b' });
      const info = await orchestrator.wait(runId, { timeoutMs: 15_000 });
      expect(info).toMatchObject({ status: 'completed', output: { tag: 'sleeper', woke: true } });
      expect(info.waitingUntil).toBeUndefined();
      const woke = probe.wokeAt.get('sleeper') as number;
      expect(woke).toBeGreaterThanOrEqual(dueAt - SLACK_MS);
      // On time: well within the lease/poll cadence of the fast harness, even on a loaded machine.
      expect(woke).toBeLessThanOrEqual(dueAt + 3_000);
      expect(info.output).toEqual(await wf.run({ tag: 'sleeper' }));
    });

    it('a timer with `at` wakes its run at that time, judged by the backend clock', async () => {
      const probe = new TimerProbe();
      const at = Date.now() + 800;
      const wf = timerWorkflow(probe, () => ({ at: new Date(at) }), 'conformance-timer-at');
      const orchestrator = harness.orchestrator([wf]);
      await harness.startWorker({ workflows: [wf] });
      const runId = await orchestrator.start(wf, { tag: 'at' });
      const info = await orchestrator.wait(runId, { timeoutMs: 15_000 });
      expect(info.status).toBe('completed');
      expect(probe.wokeAt.get('at')).toBeGreaterThanOrEqual(at - SLACK_MS);
      const items = await orchestrator.workItems(runId);
      expect(items.map((state) => [state.node, state.status]).sort()).toEqual([
        ['arm', 'completed'],
        ['wake', 'completed'],
      ]);
    });

    it('sleeping runs hold no worker slot: another run completes while they wait, and cancel ends them', async () => {
      const probe = new TimerProbe();
      const sleeper = timerWorkflow(probe, () => ({ delayMs: 120_000 }));
      const quick = linearWorkflow();
      const orchestrator = harness.orchestrator([sleeper, quick]);
      await harness.startWorker({ workflows: [sleeper, quick], concurrency: 2 });
      const sleeping = await Promise.all(
        Array.from({ length: 30 }, (_, i) => orchestrator.start(sleeper, { tag: `s${i}` })),
      );
      await waitFor(
        async () => {
          const infos = await Promise.all(sleeping.map((runId) => orchestrator.get(runId)));
          return infos.every((info) => info.waitingUntil !== undefined);
        },
        { timeoutMs: 20_000, message: 'every run waiting on its timer' },
      );
      const quickRun = await orchestrator.start(quick, 3);
      const done = await orchestrator.wait(quickRun, { timeoutMs: 10_000 });
      expect(done).toMatchObject({ status: 'completed', output: 'result:8' });
      const metrics = await Promise.all(sleeping.map((runId) => orchestrator.metrics(runId)));
      expect(metrics.every((m) => m.running === 0)).toBe(true);
      expect(probe.wokeAt.size).toBe(0);
      const cancelled = await orchestrator.cancel(sleeping[0] as string);
      expect(cancelled.status).toBe('cancelled');
      expect(cancelled.waitingUntil).toBeUndefined();
    });

    it('a fan-out with a timer delays every branch and the join still collects them all', async () => {
      const wf = timerFanOutWorkflow(5, 500);
      const orchestrator = harness.orchestrator([wf]);
      await harness.startWorker({ workflows: [wf], concurrency: 4 });
      const started = Date.now();
      const runId = await orchestrator.start(wf, null);
      const info = await orchestrator.wait(runId, { timeoutMs: 15_000 });
      expect(info).toMatchObject({ status: 'completed', output: 5 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(500 - SLACK_MS);
      expect(info.output).toEqual(await wf.run(null));
    });
  });
}
