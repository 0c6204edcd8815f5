import { afterEach, describe, expect, it, vi } from 'vitest';
import { node, workflow } from '@floxide/core';
import { advance, startAndLease, stepCommit, testRun } from '@floxide/conformance';
import { DistributedOrchestrator, DistributedWorker } from '@floxide/distributed';
import type { PostgresBackend } from './postgres-backend.js';
import type { PostgresBackendOptions } from './postgres-backend-options.js';
import { createTestBackend, destroyTestBackend } from './test-support/postgres-test-init.js';

const HOUR = 3_600_000;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const close of closers.splice(0).reverse()) await close();
});

async function open(options: PostgresBackendOptions = {}): Promise<PostgresBackend> {
  const backend = await createTestBackend(options);
  closers.push(() => destroyTestBackend(backend));
  return backend;
}

/** Makes `Date.now` (the default clock of every component) run `skewMs` off for the rest of the test. */
function skewDateNow(skewMs: number): () => number {
  const real = Date.now.bind(Date);
  vi.spyOn(Date, 'now').mockImplementation(() => real() + skewMs);
  return () => real() + skewMs;
}

describe('PostgresBackend: clocks', () => {
  for (const skew of [-HOUR, HOUR]) {
    it(`a lease call waiting on a delayed item wakes when it becomes visible, with a worker clock ${skew > 0 ? '+' : '-'}1 h off`, async () => {
      const clock = skewDateNow(skew);
      const backend = await open({ clock });
      const lease = await startAndLease(backend, testRun(`skew-${skew}`));
      await backend.queue.release(lease, { delayMs: 700 });
      const started = performance.now();
      const leases = await backend.queue.lease({ workerId: 'w', leaseMs: 30_000, max: 1, waitMs: 6_000 });
      const waited = performance.now() - started;
      expect(leases).toHaveLength(1);
      expect(waited).toBeGreaterThan(500);
      expect(waited).toBeLessThan(2_500);
    });
  }

  it('retention ages runs on the database clock: a caller 1 h fast deletes no run that just finished', async () => {
    const backend = await open();
    const lease = await startAndLease(backend, testRun('retain-skew'));
    await backend.commit(stepCommit(lease, advance({ output: 1 })));
    skewDateNow(HOUR);
    expect(await backend.deleteFinishedRuns({ olderThanMs: HOUR / 2 })).toBe(0);
    expect((await backend.runs.get('retain-skew'))?.status).toBe('completed');
    expect(await backend.deleteFinishedRuns({ olderThanMs: 0 })).toBe(1);
  });
});

describe('PostgresBackend: run deadlines fire without a step of the run', () => {
  const step = node({ name: 'step', process: (n: number) => n + 1 });
  const wf = workflow({ name: 'deadline-idle', version: 1 }).start(step).build();

  async function setUp(): Promise<{
    orchestrator: DistributedOrchestrator;
    backend: PostgresBackend;
    startWorker: () => Promise<void>;
  }> {
    const backend = await open();
    const startWorker = async (): Promise<void> => {
      // An idle worker: its lease calls wait up to 5 s, the deadline must wake them sooner.
      const worker = new DistributedWorker({
        backend,
        workflows: [wf],
        leaseMs: 2_000,
        heartbeatMs: 200,
        idleWaitMs: 5_000,
      });
      closers.push(() => worker.close({ graceMs: 0 }));
      await worker.start();
    };
    return { orchestrator: new DistributedOrchestrator({ backend, workflows: [wf] }), backend, startWorker };
  }

  it('fails a paused run past its deadline with DEADLINE_EXCEEDED', async () => {
    const { orchestrator, startWorker } = await setUp();
    const runId = await orchestrator.start(wf, 1, { deadlineMs: 800 });
    await orchestrator.pause(runId);
    await startWorker();
    const info = await orchestrator.wait(runId, { timeoutMs: 5_000 });
    expect(info.status).toBe('failed');
    expect(info.error?.code).toBe('DEADLINE_EXCEEDED');
    expect(info.finishedAt ?? 0).toBeGreaterThanOrEqual(info.deadlineAt ?? Infinity);
    // The idle worker's lease call would next return 5 s after it began (about 4.2 s past the deadline): an
    // end well before that shows the call woke at the deadline. Generous for a loaded CI machine.
    expect((info.finishedAt ?? Infinity) - (info.deadlineAt ?? 0)).toBeLessThan(3_000);
  });

  it('fails a running run past its deadline while its only item is leased to a worker that died', async () => {
    const { orchestrator, backend, startWorker } = await setUp();
    const runId = await orchestrator.start(wf, 1, { deadlineMs: 1_000 });
    // A worker took the start item with a one-minute lease and died: nothing of the run can execute.
    const leases = await backend.queue.lease({ workerId: 'dead-worker', leaseMs: 60_000, max: 1 });
    expect(leases.map((l) => l.item.runId)).toEqual([runId]);
    await startWorker();
    const info = await orchestrator.wait(runId, { timeoutMs: 5_000 });
    expect(info.status).toBe('failed');
    expect(info.error?.code).toBe('DEADLINE_EXCEEDED');
    expect((info.finishedAt ?? Infinity) - (info.deadlineAt ?? 0)).toBeLessThan(3_000);
  });
});
