// Two prefixes on one server never see each other's data.
import { afterEach, describe, expect, it } from 'vitest';
import type { RedisBackend } from './redis-backend.js';
import { createTestBackend, destroyTestBackend } from './test-support/redis-test-backend.js';

const startItem = (runId: string) => ({
  itemId: `${runId}:start`,
  runId,
  workflow: 'wf',
  version: 1,
  node: 'start',
  input: { n: 1 },
  attempt: 1,
  branches: [],
});

describe('prefix isolation', () => {
  const opened: RedisBackend[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((b) => destroyTestBackend(b)));
  });

  it('keeps runs, items, workers and queues of two prefixes apart, even with the same run id', async () => {
    const a = createTestBackend('iso-a');
    const b = createTestBackend('iso-b');
    opened.push(a, b);
    for (const [backend, input] of [
      [a, 'A'],
      [b, 'B'],
    ] as const) {
      await backend.startRun({
        runId: 'same',
        workflow: 'wf',
        version: 1,
        input,
        context: {},
        startItem: startItem('same'),
        createdAt: 1,
      });
    }
    await a.liveness.heartbeat({
      workerId: 'wa',
      host: 'h',
      pid: 1,
      startedAt: 1,
      lastHeartbeat: 1,
      status: 'idle',
      currentItems: [],
      processed: 0,
      errors: 0,
    });
    expect((await a.runs.get('same'))?.input).toBe('A');
    expect((await b.runs.get('same'))?.input).toBe('B');
    expect((await b.runs.list()).runs).toHaveLength(1);
    expect(await b.liveness.list()).toEqual([]);

    const leasesA = await a.queue.lease({ workerId: 'w', leaseMs: 5_000, max: 5 });
    expect(leasesA).toHaveLength(1);
    const leasesB = await b.queue.lease({ workerId: 'w', leaseMs: 5_000, max: 5 });
    expect(leasesB).toHaveLength(1);

    await a.control('same', 'cancel');
    expect((await b.runs.get('same'))?.status).toBe('running');
    await a.destroyAllData();
    expect(await a.runs.get('same')).toBeUndefined();
    expect((await b.runs.get('same'))?.status).toBe('running');
  });
});
