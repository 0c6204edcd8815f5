import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBackend } from '../memory/memory-backend.js';
import { DistributedOrchestrator } from '../orchestrator/distributed-orchestrator.js';
import { doubleWorkflow } from '../test-support/workflows.js';
import { wrapBackend } from '../test-support/wrap-backend.js';
import { DistributedWorker } from './distributed-worker.js';

const open: DistributedWorker[] = [];

function makeWorker(options: ConstructorParameters<typeof DistributedWorker>[0]): DistributedWorker {
  const worker = new DistributedWorker({ heartbeatMs: 50, idleWaitMs: 200, ...options });
  open.push(worker);
  return worker;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close({ graceMs: 0 })));
});

describe('an error the worker cannot classify', () => {
  it('is recorded on every hand-back and fails the step after maxHandBacks (commit of the failure works)', async () => {
    const memory = new MemoryBackend();
    const backend = wrapBackend(memory, {
      commit: async (step) => {
        // Only the node's success cannot be committed: the failure the worker commits at the bound can.
        if (step.outcome.kind === 'advance') throw new TypeError('value refused by the store');
        return memory.commit(step);
      },
    });
    const orchestrator = new DistributedOrchestrator({ backend: memory, workflows: [doubleWorkflow] });
    await makeWorker({ backend, workflows: [doubleWorkflow], maxHandBacks: 3 }).start();
    const runId = await orchestrator.start(doubleWorkflow, 4);
    const info = await orchestrator.wait(runId, { timeoutMs: 15_000 });
    expect(info.status).toBe('failed');
    expect(info.error?.code).toBe('HAND_BACK_LIMIT');
    expect(info.error?.message).toContain('value refused by the store');
    const errors = await orchestrator.errors(runId);
    expect(errors.filter((e) => e.error.message.startsWith('handed back'))).toHaveLength(3);
    expect(errors.at(-1)?.error.code).toBe('HAND_BACK_LIMIT');
    expect((await orchestrator.workItems(runId))[0]?.status).toBe('dead');
  });

  it('fails the run directly when even the failure cannot be committed', async () => {
    const memory = new MemoryBackend();
    const backend = wrapBackend(memory, {
      commit: () => Promise.reject(new TypeError('commit always breaks')),
    });
    const orchestrator = new DistributedOrchestrator({ backend: memory, workflows: [doubleWorkflow] });
    await makeWorker({ backend, workflows: [doubleWorkflow], maxHandBacks: 2 }).start();
    const runId = await orchestrator.start(doubleWorkflow, 4);
    const info = await orchestrator.wait(runId, { timeoutMs: 15_000 });
    expect(info).toMatchObject({ status: 'failed', error: { code: 'HAND_BACK_LIMIT' } });
    const records = await orchestrator.errors(runId);
    expect(records.filter((e) => e.error.message.startsWith('handed back'))).toHaveLength(2);
  });

  it('counts hand-backs across workers through the error records', async () => {
    const memory = new MemoryBackend();
    const backend = wrapBackend(memory, {
      commit: async (step) => {
        if (step.outcome.kind === 'advance') throw new TypeError('refused');
        return memory.commit(step);
      },
    });
    const orchestrator = new DistributedOrchestrator({ backend: memory, workflows: [doubleWorkflow] });
    // Each worker alone would allow 4; together they reach the bound after 4 records in all.
    await makeWorker({ backend, workflows: [doubleWorkflow], maxHandBacks: 4 }).start();
    await makeWorker({ backend, workflows: [doubleWorkflow], maxHandBacks: 4 }).start();
    const runId = await orchestrator.start(doubleWorkflow, 1);
    const info = await orchestrator.wait(runId, { timeoutMs: 15_000 });
    expect(info.error?.code).toBe('HAND_BACK_LIMIT');
    const records = await orchestrator.errors(runId);
    expect(records.filter((e) => e.error.message.startsWith('handed back'))).toHaveLength(4);
  });
});

describe('DistributedWorker.start', () => {
  it('can be retried on the same worker after a failed start', async () => {
    const memory = new MemoryBackend();
    let down = true;
    const backend = wrapBackend(memory, {
      liveness: {
        heartbeat: (health) =>
          down ? Promise.reject(new Error('backend down')) : memory.liveness.heartbeat(health),
        get: (id) => memory.liveness.get(id),
        list: () => memory.liveness.list(),
        remove: (id) => memory.liveness.remove(id),
      },
    });
    const worker = makeWorker({ backend, workflows: [doubleWorkflow] });
    await expect(worker.start()).rejects.toThrow('backend down');
    down = false;
    await worker.start();
    const orchestrator = new DistributedOrchestrator({ backend: memory, workflows: [doubleWorkflow] });
    const runId = await orchestrator.start(doubleWorkflow, 5);
    expect(await orchestrator.wait(runId, { timeoutMs: 10_000 })).toMatchObject({
      status: 'completed',
      output: 10,
    });
  });
});
