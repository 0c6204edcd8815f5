import { node, Transition, workflow } from '@floxide/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../contracts/backend.js';
import { MemoryBackend } from '../memory/memory-backend.js';
import { DistributedOrchestrator } from '../orchestrator/distributed-orchestrator.js';
import { DistributedWorker } from './distributed-worker.js';

const open: DistributedWorker[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close({ graceMs: 0 })));
});

/** A backend that stores no signals (as an older third-party backend): the memory one without `signals`. */
function withoutSignals(inner: MemoryBackend): Backend {
  return new Proxy(inner, {
    get: (target, key) => {
      if (key === 'signals') return undefined;
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('Transition.waitFor on a backend without signals', () => {
  it('fails the run with WORKFLOW_DEFINITION instead of dropping the parked step', async () => {
    const ask = node({ name: 'ask', process: () => Transition.waitFor('approval') });
    const done = node({ name: 'done', process: (x: unknown) => x });
    const wf = workflow({ name: 'wait-distributed' }).start(ask).edge(ask, done).build();
    const backend = withoutSignals(new MemoryBackend());
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
    const worker = new DistributedWorker({ backend, workflows: [wf], heartbeatMs: 50, idleWaitMs: 200 });
    open.push(worker);
    await worker.start();
    const runId = await orchestrator.start(wf, undefined);
    const info = await orchestrator.wait(runId, { timeoutMs: 15_000 });
    expect(info.status).toBe('failed');
    expect(info.error?.code).toBe('WORKFLOW_DEFINITION');
    expect(info.error?.message).toContain("Transition.waitFor('approval')");
  });
});
