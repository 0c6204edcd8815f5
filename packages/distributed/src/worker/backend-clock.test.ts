import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Backend } from '../contracts/backend.js';
import { MemoryBackend } from '../memory/memory-backend.js';
import { DistributedOrchestrator } from '../orchestrator/distributed-orchestrator.js';
import { doubleWorkflow } from '../test-support/workflows.js';
import { wrapBackend } from '../test-support/wrap-backend.js';
import { DistributedWorker } from './distributed-worker.js';

const HOUR_MS = 3_600_000;
const open: DistributedWorker[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close({ graceMs: 0 })));
  vi.restoreAllMocks();
});

/** Starts a run with a deadline a minute away, then serves it from a worker whose clock is an hour fast. */
async function runOnFastWorker(backend: Backend, memory: MemoryBackend) {
  const orchestrator = new DistributedOrchestrator({ backend: memory, workflows: [doubleWorkflow] });
  const runId = await orchestrator.start(doubleWorkflow, 4, { deadlineMs: 60_000 });
  const real = Date.now.bind(Date);
  // The memory backend keeps the clock it was built with; only this process's Date.now moves.
  vi.spyOn(Date, 'now').mockImplementation(() => real() + HOUR_MS);
  const worker = new DistributedWorker({
    backend,
    workflows: [doubleWorkflow],
    heartbeatMs: 50,
    idleWaitMs: 100,
  });
  open.push(worker);
  await worker.start();
  return orchestrator.wait(runId, { timeoutMs: 15_000 });
}

describe('run deadlines on a worker whose clock is off', () => {
  it('are judged by the backend clock: a run due in a minute completes on a worker an hour fast', async () => {
    const memory = new MemoryBackend();
    const info = await runOnFastWorker(wrapBackend(memory, {}), memory);
    expect(info.status).toBe('completed');
    expect(info.output).toBe(8);
  });

  it('without a backend clock the worker can only use its own, and fails the run at once', async () => {
    const memory = new MemoryBackend();
    const { clock: _ignored, ...withoutClock } = wrapBackend(memory, {});
    const info = await runOnFastWorker(withoutClock, memory);
    expect(info.status).toBe('failed');
    expect(info.error?.code).toBe('DEADLINE_EXCEEDED');
  });
});
