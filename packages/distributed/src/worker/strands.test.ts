import { afterEach, describe, expect, it } from 'vitest';
import { node, workflow } from '@floxide/core';
import type { Backend, CommitResult } from '../contracts/backend.js';
import { MemoryBackend } from '../memory/memory-backend.js';
import { DistributedOrchestrator } from '../orchestrator/distributed-orchestrator.js';
import { wrapBackend, wrapQueue } from '../test-support/wrap-backend.js';
import { DistributedWorker } from './distributed-worker.js';
import type { DistributedWorkerOptions } from './distributed-worker-options.js';

/** A chain of `n` steps of one node routing back to itself. */
function loop() {
  const step = node({ name: 'step', process: (s: { i: number; n: number }) => ({ i: s.i + 1, n: s.n }) });
  return workflow({ name: 'strand-loop', version: 1 })
    .start(step)
    .route(step, (o) => (o.i >= o.n ? 'done' : 'again'), { again: step, done: [] })
    .build();
}

/** Counts items that came from the queue and items that came from strand continuations. */
function counting(inner: Backend): { backend: Backend; fromQueue: () => number; fromStrands: () => number } {
  let queued = 0;
  let stranded = 0;
  const backend = wrapBackend(inner, {
    queue: wrapQueue(inner.queue, {
      lease: async (options) => {
        const leases = await inner.queue.lease(options);
        queued += leases.length;
        return leases;
      },
    }),
    commit: async (step): Promise<CommitResult> => {
      const result = await inner.commit(step);
      if (result.status === 'committed' && result.next) stranded += 1;
      return result;
    },
  });
  return { backend, fromQueue: () => queued, fromStrands: () => stranded };
}

const open: DistributedWorker[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close({ graceMs: 0 })));
});

async function runChain(n: number, options: Partial<DistributedWorkerOptions>) {
  const inner = new MemoryBackend();
  const counted = counting(inner);
  const wf = loop();
  const worker = new DistributedWorker({ backend: counted.backend, workflows: [wf], ...options });
  open.push(worker);
  await worker.start();
  const orchestrator = new DistributedOrchestrator({ backend: inner, workflows: [wf] });
  const info = await orchestrator.wait(await orchestrator.start(wf, { i: 0, n }), { timeoutMs: 10_000 });
  expect(info).toMatchObject({ status: 'completed', output: { i: n, n } });
  return counted;
}

describe('DistributedWorker strands', () => {
  it('runs a chain on one strand: one item from the queue, the rest handed over by commits', async () => {
    const counted = await runChain(50, {});
    expect(counted.fromQueue()).toBe(1);
    expect(counted.fromStrands()).toBe(49);
  });

  it('gives the slot back to the queue every strandMaxSteps steps', async () => {
    const counted = await runChain(50, { strandMaxSteps: 10 });
    expect(counted.fromQueue()).toBe(5);
    expect(counted.fromStrands()).toBe(45);
  });

  it('strands: false takes every item from the queue', async () => {
    const counted = await runChain(20, { strands: false });
    expect(counted.fromQueue()).toBe(20);
    expect(counted.fromStrands()).toBe(0);
  });
});
