import { describe, expect, it } from 'vitest';
import type { DistributedOrchestrator, RunEvent, RunInfo } from '@floxide/distributed';
import type { BackendTestInit } from '../support/backend-test-init.js';
import { waitFor } from '../support/wait-for.js';
import { useEngineHarness } from './engine-harness.js';
import { approvalWorkflow, SignalProbe } from './signal-workflows.js';
import { codeOf } from '../support/rejection.js';

/** The run once it is `waiting` (every outstanding item parked on a signal). */
async function waiting(orchestrator: DistributedOrchestrator, runId: string): Promise<RunInfo> {
  return waitFor(
    async () => {
      const info = await orchestrator.get(runId);
      return info.status === 'waiting' ? info : undefined;
    },
    { timeoutMs: 15_000, message: `run ${runId} waiting on its signal` },
  );
}

/**
 * Signals (`Transition.waitFor` on workers, `orchestrator.signal`): the parked item holds no lease and no
 * worker slot, the run is `waiting` with the signal's name, a signal is delivered exactly once by its id,
 * kept when it arrives before the wait, refused for finished and unknown runs; the wait's timeout fires by the
 * backend's clock (on-failure edge, or the run fails); cancel and deadlines end a waiting run.
 */
export function describeSignalScenarios(init: BackendTestInit): void {
  describe('signals', () => {
    const harness = useEngineHarness(init);

    it('a waiting run holds no lease, survives a worker restart, and takes a signal exactly once by id', async () => {
      const probe = new SignalProbe();
      const wf = approvalWorkflow(probe);
      const orchestrator = harness.orchestrator([wf]);
      const first = await harness.startWorker({ workflows: [wf], id: 'signal-a' });
      const runId = await orchestrator.start(wf, { id: 'r1' });
      const parked = await waiting(orchestrator, runId);
      expect(parked.waitingFor).toEqual(['approval']);
      expect((await orchestrator.metrics(runId)).running).toBe(0);
      await first.close({ graceMs: 0 });
      const sent = await orchestrator.signal(runId, 'approval', { approved: true }, { signalId: 's-1' });
      expect(sent.status).toBe('delivered');
      expect(
        (await orchestrator.signal(runId, 'approval', { approved: false }, { signalId: 's-1' })).status,
      ).toBe('duplicate');
      expect((await orchestrator.get(runId)).status).toBe('running');
      await harness.startWorker({ workflows: [wf], id: 'signal-b' });
      const info = await orchestrator.wait(runId, { timeoutMs: 15_000 });
      expect(info).toMatchObject({ status: 'completed', output: { approved: true } });
      expect(info.waitingFor).toBeUndefined();
      expect(probe.received).toEqual([{ approved: true }]);
      expect(probe.runs.get('done')).toBe(1);
    });

    it('a signal sent before the run reaches the wait is kept and consumed there', async () => {
      const probe = new SignalProbe();
      const wf = approvalWorkflow(probe, { name: 'conformance-approval-early', prepareMs: 300 });
      const orchestrator = harness.orchestrator([wf]);
      await harness.startWorker({ workflows: [wf] });
      const runId = await orchestrator.start(wf, { id: 'early' });
      expect((await orchestrator.signal(runId, 'approval', { approved: false })).status).toBe('stored');
      const info = await orchestrator.wait(runId, { timeoutMs: 15_000 });
      expect(info).toMatchObject({ status: 'completed', output: { approved: false } });
      expect(probe.runs.get('done')).toBe(1);
    });

    it('publishes waiting and running again on the change feed', async () => {
      const probe = new SignalProbe();
      const wf = approvalWorkflow(probe, { name: 'conformance-approval-feed' });
      const orchestrator = harness.orchestrator([wf]);
      await harness.startWorker({ workflows: [wf] });
      const runId = await orchestrator.start(wf, { id: 'feed' });
      const statuses: string[] = [];
      const watching = (async () => {
        for await (const event of orchestrator.watch(runId, { signal: AbortSignal.timeout(20_000) })) {
          const e = event as RunEvent;
          if (e.type === 'run.status' && e.status) statuses.push(e.status);
        }
      })();
      await waiting(orchestrator, runId);
      await orchestrator.signal(runId, 'approval', { approved: true });
      await orchestrator.wait(runId, { timeoutMs: 15_000 });
      await watching;
      const at = statuses.indexOf('waiting');
      expect(at).toBeGreaterThanOrEqual(0);
      expect(statuses.slice(at)).toEqual(['waiting', 'running', 'completed']);
    });

    it('a payload the schema refuses leaves the step parked with a VALIDATION error record', async () => {
      const probe = new SignalProbe();
      const wf = approvalWorkflow(probe, { name: 'conformance-approval-schema' });
      const orchestrator = harness.orchestrator([wf]);
      await harness.startWorker({ workflows: [wf] });
      const runId = await orchestrator.start(wf, { id: 'schema' });
      await waiting(orchestrator, runId);
      expect((await orchestrator.signal(runId, 'approval', { approved: 'yes' })).status).toBe('delivered');
      await waitFor(
        async () => (await orchestrator.errors(runId)).find((r) => r.error.code === 'VALIDATION'),
        { timeoutMs: 15_000, message: 'the refusal record' },
      );
      expect((await waiting(orchestrator, runId)).waitingFor).toEqual(['approval']);
      await orchestrator.signal(runId, 'approval', { approved: true });
      const info = await orchestrator.wait(runId, { timeoutMs: 15_000 });
      expect(info).toMatchObject({ status: 'completed', output: { approved: true } });
      expect(probe.received).toEqual([{ approved: true }]);
    });

    it('a timed-out wait takes the on-failure edge, by the backend clock, with no call touching the run', async () => {
      const probe = new SignalProbe();
      const wf = approvalWorkflow(probe, {
        name: 'conformance-approval-timeout',
        timeoutMs: 600,
        fallback: true,
      });
      const orchestrator = harness.orchestrator([wf]);
      await harness.startWorker({ workflows: [wf] });
      const started = Date.now();
      const runId = await orchestrator.start(wf, { id: 'late' });
      const info = await orchestrator.wait(runId, { timeoutMs: 15_000 });
      expect(info).toMatchObject({ status: 'completed', output: { timedOut: true } });
      expect(Date.now() - started).toBeGreaterThanOrEqual(450);
      expect((await orchestrator.errors(runId)).map((r) => r.error.code)).toContain('SIGNAL_TIMEOUT');
      expect(probe.runs.get('done')).toBeUndefined();
      expect(probe.runs.get('timedOut')).toBe(1);
    });

    it('a timed-out wait without an on-failure edge fails the run with SIGNAL_TIMEOUT', async () => {
      const probe = new SignalProbe();
      const wf = approvalWorkflow(probe, { name: 'conformance-approval-timeout-fail', timeoutMs: 300 });
      const orchestrator = harness.orchestrator([wf]);
      await harness.startWorker({ workflows: [wf] });
      const runId = await orchestrator.start(wf, { id: 'fail' });
      const info = await orchestrator.wait(runId, { timeoutMs: 15_000 });
      expect(info.status).toBe('failed');
      expect(info.error?.code).toBe('SIGNAL_TIMEOUT');
      expect(await codeOf(orchestrator.signal(runId, 'approval', { approved: true }))).toBe('RUN_STATE');
    });

    it('signals to unknown and finished runs are typed errors; cancel and deadlines end a waiting run', async () => {
      const probe = new SignalProbe();
      const wf = approvalWorkflow(probe, { name: 'conformance-approval-control' });
      const orchestrator = harness.orchestrator([wf]);
      await harness.startWorker({ workflows: [wf] });
      expect(await codeOf(orchestrator.signal('no-such-run', 'approval', {}))).toBe('RUN_NOT_FOUND');
      const cancelled = await orchestrator.start(wf, { id: 'cancel' });
      await waiting(orchestrator, cancelled);
      expect((await orchestrator.cancel(cancelled)).status).toBe('cancelled');
      expect(await codeOf(orchestrator.signal(cancelled, 'approval', { approved: true }))).toBe('RUN_STATE');
      const late = await orchestrator.start(wf, { id: 'deadline' }, { deadlineMs: 800 });
      const info = await orchestrator.wait(late, { timeoutMs: 15_000 });
      expect(info.status).toBe('failed');
      expect(info.error?.code).toBe('DEADLINE_EXCEEDED');
      expect(probe.runs.get('done')).toBeUndefined();
    });

    it('pause holds a delivered signal until resume; 20 waiting runs hold no worker slot', async () => {
      const probe = new SignalProbe();
      const wf = approvalWorkflow(probe, { name: 'conformance-approval-many' });
      const orchestrator = harness.orchestrator([wf]);
      await harness.startWorker({ workflows: [wf], concurrency: 1 });
      const runIds = await Promise.all(
        Array.from({ length: 20 }, (_, i) => orchestrator.start(wf, { id: `m${i}` })),
      );
      for (const runId of runIds) await waiting(orchestrator, runId);
      const paused = runIds[0] as string;
      expect((await orchestrator.pause(paused)).status).toBe('paused');
      await Promise.all(runIds.map((runId) => orchestrator.signal(runId, 'approval', { approved: true })));
      for (const runId of runIds.slice(1)) {
        expect((await orchestrator.wait(runId, { timeoutMs: 15_000 })).status).toBe('completed');
      }
      expect((await orchestrator.get(paused)).status).toBe('paused');
      await orchestrator.resume(paused);
      expect((await orchestrator.wait(paused, { timeoutMs: 15_000 })).status).toBe('completed');
      expect(probe.runs.get('done')).toBe(20);
    });
  });
}
