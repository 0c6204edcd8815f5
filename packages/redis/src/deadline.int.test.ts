// A run deadline used to be enforced only when a step of the run executed: a paused run, or one idle until a
// far retry, stayed paused/running forever past its deadline. The sweeper of any leasing process now fails
// it with DEADLINE_EXCEEDED within `sweepIntervalMs` (plus one sweep) of the deadline, by the server clock.
import { node, workflow } from '@floxide/core';
import type { WorkItem } from '@floxide/core/engine';
import { DistributedOrchestrator, DistributedWorker, type Lease } from '@floxide/distributed';
import { afterEach, describe, expect, it } from 'vitest';
import type { RedisBackend } from './redis-backend.js';
import { createTestBackend, destroyTestBackend } from './test-support/redis-test-backend.js';

const SWEEP_MS = 200;

function quickWorkflow() {
  return workflow({ name: 'deadline-quick', version: 1 })
    .start(node({ name: 'q', process: (x: number) => x + 1 }))
    .build();
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('run deadlines no worker touches', () => {
  const opened: RedisBackend[] = [];
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await Promise.all(opened.splice(0).map((b) => destroyTestBackend(b)));
  });

  async function setup(label: string) {
    const backend = createTestBackend(label, { sweepIntervalMs: SWEEP_MS });
    opened.push(backend);
    const wf = quickWorkflow();
    const worker = new DistributedWorker({ backend, workflows: [wf], concurrency: 2, idleWaitMs: 100 });
    closers.push(() => worker.close());
    await worker.start();
    return { backend, wf, orchestrator: new DistributedOrchestrator({ backend, workflows: [wf] }) };
  }

  it('fails a paused run once its deadline passed', { timeout: 30_000 }, async () => {
    const { orchestrator, wf, backend } = await setup('deadline-paused');
    const runId = await orchestrator.start(wf, 1, { deadlineMs: 1_000 });
    await orchestrator.pause(runId);
    const info = await orchestrator.wait(runId, { timeoutMs: 10_000 });
    expect(info).toMatchObject({ status: 'failed', error: { code: 'DEADLINE_EXCEEDED' } });
    expect((info.finishedAt ?? 0) - (info.deadlineAt ?? 0)).toBeLessThan(SWEEP_MS + 1_000);
    expect((await backend.errors.list(runId)).map((e) => e.error.code)).toContain('DEADLINE_EXCEEDED');
  });

  it('fails a running run whose only item waits for a retry a minute away', { timeout: 30_000 }, async () => {
    const backend = createTestBackend('deadline-idle', { sweepIntervalMs: SWEEP_MS });
    opened.push(backend);
    const item: WorkItem = {
      itemId: 'i',
      runId: 'idle',
      workflow: 'wf',
      version: 1,
      node: 'n',
      input: 1,
      attempt: 1,
      branches: [],
    };
    const deadlineAt = Date.now() + 1_500;
    await backend.startRun({
      runId: 'idle',
      workflow: 'wf',
      version: 1,
      input: 1,
      context: {},
      startItem: item,
      createdAt: Date.now(),
      deadlineAt,
    });
    // Its step fails and schedules the retry far beyond the deadline: nothing of the run runs meanwhile.
    const [lease] = await backend.queue.lease({ workerId: 'w', leaseMs: 30_000, waitMs: 2_000 });
    const error = { name: 'Error', code: 'NODE_FAILED' as const, message: 'not yet' };
    await backend.commit({
      lease: lease as Lease,
      outcome: { kind: 'retry', error, delayMs: 60_000, retryItem: { ...item, attempt: 2 }, durationMs: 1 },
      at: Date.now(),
    });
    expect(await backend.runs.get('idle')).toMatchObject({ status: 'running' });
    await until('the run to fail', async () => (await backend.runs.get('idle'))?.status === 'failed');
    const run = await backend.runs.get('idle');
    expect(run).toMatchObject({ status: 'failed', error: { code: 'DEADLINE_EXCEEDED' } });
    expect((run?.finishedAt ?? 0) - deadlineAt).toBeLessThan(SWEEP_MS + 1_000);
    expect((await backend.items.get('idle', 'i'))?.status).toBe('waiting-retry');
  });

  it('leaves runs that finished before their deadline alone', { timeout: 30_000 }, async () => {
    const { orchestrator, backend, wf } = await setup('deadline-done');
    const runId = await orchestrator.start(wf, 1, { deadlineMs: 800 });
    expect(await orchestrator.wait(runId, { timeoutMs: 10_000 })).toMatchObject({
      status: 'completed',
      output: 2,
    });
    await new Promise((r) => setTimeout(r, 800 + 3 * SWEEP_MS));
    expect(await orchestrator.get(runId)).toMatchObject({ status: 'completed', output: 2 });
    expect(await backend.queue.sweep()).toMatchObject({ deadlinesExpired: 0 });
  });
});
