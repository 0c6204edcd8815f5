import { afterEach, describe, expect, it } from 'vitest';
import { isFloxideError, node, workflow } from '@floxide/core';
import { MemoryBackend } from '../memory/memory-backend.js';
import type { RunEvent } from '../contracts/records.js';
import { doubleWorkflow, headlineWorkflow } from '../test-support/workflows.js';
import { waitFor } from '../test-support/wait-for.js';
import { DistributedWorker } from '../worker/distributed-worker.js';
import { DistributedOrchestrator } from './distributed-orchestrator.js';

const open: DistributedWorker[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close({ graceMs: 0 })));
});

function setup() {
  const backend = new MemoryBackend();
  const orchestrator = new DistributedOrchestrator({
    backend,
    workflows: [doubleWorkflow, headlineWorkflow],
  });
  const startWorker = async (): Promise<DistributedWorker> => {
    const worker = new DistributedWorker({
      backend,
      workflows: [doubleWorkflow, headlineWorkflow],
      heartbeatMs: 50,
      idleWaitMs: 200,
    });
    open.push(worker);
    await worker.start();
    return worker;
  };
  return { backend, orchestrator, startWorker };
}

describe('DistributedOrchestrator.start', () => {
  it('validates the input before storing anything', async () => {
    const { backend, orchestrator } = setup();
    await expect(
      orchestrator.start(headlineWorkflow, { values: 'nope' } as never, { runId: 'r1' }),
    ).rejects.toSatisfy((e) => isFloxideError(e, 'VALIDATION'));
    expect(await backend.runs.get('r1')).toBeUndefined();
    expect(await backend.queue.pending('r1')).toEqual([]);
  });

  it('is idempotent on a caller-chosen runId with the same input, and refuses a different input', async () => {
    const { backend, orchestrator } = setup();
    expect(await orchestrator.start(doubleWorkflow, 1, { runId: 'fixed' })).toBe('fixed');
    expect(await orchestrator.start(doubleWorkflow, 1, { runId: 'fixed' })).toBe('fixed');
    await expect(orchestrator.start(doubleWorkflow, 2, { runId: 'fixed' })).rejects.toSatisfy((e) =>
      isFloxideError(e, 'RUN_STATE'),
    );
    expect((await backend.runs.list()).runs).toHaveLength(1);
    expect((await orchestrator.get('fixed')).input).toBe(1);
    expect(await backend.queue.pending('fixed')).toHaveLength(1);
    await expect(orchestrator.start(headlineWorkflow, { values: [] }, { runId: 'fixed' })).rejects.toSatisfy(
      (e) => isFloxideError(e, 'RUN_STATE'),
    );
  });

  it('starts by name (highest version) and stores the deadline on the run and its start item', async () => {
    const { backend, orchestrator } = setup();
    const runId = await orchestrator.start('double', 3, { deadlineMs: 60_000 });
    const run = await orchestrator.get(runId);
    expect(run).toMatchObject({ workflow: 'double', version: 1, status: 'queued' });
    expect(run.deadlineAt).toBeGreaterThan(Date.now());
    expect((await backend.queue.pending(runId))[0]?.deadlineAt).toBe(run.deadlineAt);
    await expect(orchestrator.start('nope', 1)).rejects.toSatisfy((e) =>
      isFloxideError(e, 'UNKNOWN_WORKFLOW'),
    );
  });
});

describe('DistributedOrchestrator inspection', () => {
  it('throws RunNotFoundError for unknown runs', async () => {
    const { orchestrator } = setup();
    for (const call of [
      orchestrator.get('x'),
      orchestrator.status('x'),
      orchestrator.context('x'),
      orchestrator.metrics('x'),
      orchestrator.wait('x'),
    ]) {
      await expect(call).rejects.toSatisfy((e) => isFloxideError(e, 'RUN_NOT_FOUND'));
    }
  });

  it('lists runs newest first with filters and pagination', async () => {
    const { orchestrator } = setup();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      ids.push(await orchestrator.start(doubleWorkflow, i, { runId: `run-${i}` }));
      await new Promise((r) => setTimeout(r, 2));
    }
    await orchestrator.start(headlineWorkflow, { values: [1] }, { runId: 'head' });
    const first = await orchestrator.runs({ workflow: 'double', limit: 3 });
    expect(first.runs.map((r) => r.runId)).toEqual(['run-4', 'run-3', 'run-2']);
    const second = await orchestrator.runs({
      workflow: 'double',
      limit: 3,
      cursor: first.nextCursor as string,
    });
    expect(second.runs.map((r) => r.runId)).toEqual(['run-1', 'run-0']);
    expect(second.nextCursor).toBeUndefined();
    await orchestrator.cancel('run-2');
    expect((await orchestrator.runs({ status: 'cancelled' })).runs.map((r) => r.runId)).toEqual(['run-2']);
  });

  it('classifies workers alive, stale and dead by heartbeat age', async () => {
    const { backend, orchestrator } = setup();
    const now = 100_000;
    const base = {
      host: 'h',
      pid: 1,
      startedAt: 0,
      status: 'idle' as const,
      currentItems: [],
      processed: 0,
      errors: 0,
    };
    await backend.liveness.heartbeat({ ...base, workerId: 'a', lastHeartbeat: now - 999 });
    await backend.liveness.heartbeat({ ...base, workerId: 'b', lastHeartbeat: now - 1_000 });
    await backend.liveness.heartbeat({ ...base, workerId: 'c', lastHeartbeat: now - 2_999 });
    await backend.liveness.heartbeat({ ...base, workerId: 'd', lastHeartbeat: now - 3_000 });
    const result = await orchestrator.liveness({ staleAfterMs: 1_000, now });
    expect(result.map((w) => [w.worker.workerId, w.status])).toEqual([
      ['a', 'alive'],
      ['b', 'stale'],
      ['c', 'stale'],
      ['d', 'dead'],
    ]);
    expect((await orchestrator.workers()).map((w) => w.workerId)).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('DistributedOrchestrator control', () => {
  it('pause stops new steps of the run until resume', async () => {
    const { orchestrator, startWorker } = setup();
    const runId = await orchestrator.start(headlineWorkflow, { values: [1, 2, 3] });
    await orchestrator.pause(runId);
    await startWorker();
    await new Promise((r) => setTimeout(r, 300));
    expect(await orchestrator.status(runId)).toBe('paused');
    expect((await orchestrator.metrics(runId)).completed).toBe(0);
    await orchestrator.resume(runId);
    const info = await orchestrator.wait(runId, { timeoutMs: 10_000 });
    expect(info.status).toBe('completed');
  });

  it('wait rejects with TimeoutError, or CancelledError when its signal aborts', async () => {
    const { orchestrator } = setup();
    const runId = await orchestrator.start(doubleWorkflow, 1);
    await expect(orchestrator.wait(runId, { timeoutMs: 50, pollMs: 10 })).rejects.toSatisfy((e) =>
      isFloxideError(e, 'TIMEOUT'),
    );
    const controller = new AbortController();
    const waiting = orchestrator.wait(runId, { signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toSatisfy((e) => isFloxideError(e, 'CANCELLED'));
  });

  it('retryFailed revives a failed run whose node succeeds on a later attempt', async () => {
    let fail = true;
    const shaky = workflow({ name: 'shaky' })
      .start(
        node({
          name: 'shaky',
          process: (n: number) => {
            if (fail) throw new Error('down');
            return n;
          },
        }),
      )
      .build();
    const backend = new MemoryBackend();
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [shaky] });
    const worker = new DistributedWorker({ backend, workflows: [shaky], heartbeatMs: 50, idleWaitMs: 200 });
    open.push(worker);
    await worker.start();
    const runId = await orchestrator.start(shaky, 5);
    expect((await orchestrator.wait(runId, { timeoutMs: 10_000 })).status).toBe('failed');
    fail = false;
    await orchestrator.retryFailed(runId);
    expect(await orchestrator.wait(runId, { timeoutMs: 10_000 })).toMatchObject({
      status: 'completed',
      output: 5,
    });
    expect((await orchestrator.workItems(runId))[0]).toMatchObject({ status: 'completed', attempts: 2 });
  });
});

describe('DistributedOrchestrator.watch', () => {
  it('yields step and status events in order and ends after the final status', async () => {
    const { orchestrator, startWorker } = setup();
    const runId = await orchestrator.start(doubleWorkflow, 2);
    await startWorker();
    const events: RunEvent[] = [];
    for await (const event of orchestrator.watch(runId, { pollMs: 10 })) events.push(event);
    expect(events.map((e) => (e.type === 'run.status' ? `status:${e.status}` : e.type))).toEqual([
      'status:queued',
      'status:running',
      'step.started',
      'step.committed',
      'status:completed',
    ]);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('ends quietly when its signal aborts', async () => {
    const { orchestrator } = setup();
    const runId = await orchestrator.start(doubleWorkflow, 2);
    const controller = new AbortController();
    const seen: string[] = [];
    const watching = (async () => {
      for await (const event of orchestrator.watch(runId, { signal: controller.signal, pollMs: 10 }))
        seen.push(event.type);
    })();
    await waitFor(() => seen.length === 1);
    controller.abort();
    await watching;
    expect(seen).toEqual(['run.status']);
  });
});
