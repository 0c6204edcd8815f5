import { describe, expect, it } from 'vitest';
import { node, workflow } from '@floxide/core';
import { DistributedOrchestrator } from '../orchestrator/distributed-orchestrator.js';
import { DistributedWorker } from '../worker/distributed-worker.js';
import { MemoryBackend } from './memory-backend.js';

const wf = workflow({ name: 'tiny' })
  .start(node({ name: 'one', process: (n: number) => n + 1 }))
  .build();

describe('MemoryBackend bounded memory', () => {
  it('trims the change feed to feedMaxLength once it holds twice as many; readers go on from the oldest kept', async () => {
    const backend = new MemoryBackend({ feedMaxLength: 10, retention: false });
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
    const worker = new DistributedWorker({ backend, workflows: [wf], idleWaitMs: 20 });
    await worker.start();
    try {
      for (let i = 0; i < 8; i++)
        await orchestrator.wait(await orchestrator.start(wf, i), { timeoutMs: 5_000 });
      // 4 events per run (queued→running status, step started, step committed, completed): 32 recorded.
      const head = Number(await backend.feed.head());
      expect(head).toBeGreaterThanOrEqual(30);
      const all = await backend.feed.read('0', { limit: 1_000 });
      expect(all.events.length).toBeLessThan(20);
      expect(all.events.length).toBeGreaterThanOrEqual(10);
      expect(all.position).toBe(String(head));
      const positions = all.events.map((e) => Number(e.position));
      expect(positions).toEqual(positions.map((_, i) => head - positions.length + 1 + i));
      const tail = await backend.feed.read(String(head - 2));
      expect(tail.events.map((e) => Number(e.position))).toEqual([head - 1, head]);
    } finally {
      await worker.close({ graceMs: 0 });
      await backend.close();
    }
  });

  it('keeps nothing of runs past their retention: the run count stays flat', async () => {
    let now = 1_000_000;
    const backend = new MemoryBackend({
      now: () => now,
      retention: { completedMs: 1_000 },
      retentionSweepMs: 10,
    });
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
    const worker = new DistributedWorker({ backend, workflows: [wf], idleWaitMs: 20 });
    await worker.start();
    try {
      const first = await orchestrator.start(wf, 1);
      await orchestrator.wait(first, { timeoutMs: 5_000 });
      now += 999;
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await backend.runs.get(first))?.status).toBe('completed');
      now += 2;
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await backend.runs.get(first)).toBeUndefined();
      await expect(orchestrator.get(first)).rejects.toThrow(/retention/);
    } finally {
      await worker.close({ graceMs: 0 });
      await backend.close();
    }
  });
});
