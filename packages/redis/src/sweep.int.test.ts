// The outbox sweeper: with a deep backlog it must neither re-send what BullMQ already holds nor pile up
// sweeps (it once re-added every queued run's start item every 5 s and took the worker down), yet still
// recover an entry whose hand-off a crash interrupted.
import type { WorkItem } from '@floxide/core/engine';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { jobIdOf } from './item-codec.js';
import type { RedisBackend } from './redis-backend.js';
import type { SweepReport } from './redis-work-queue.js';
import { createTestBackend, destroyTestBackend, REDIS_URL } from './test-support/redis-test-backend.js';

const startItem = (runId: string): WorkItem => ({
  itemId: `${runId}:start`,
  runId,
  workflow: 'wf',
  version: 1,
  node: 'start',
  input: { n: 1 },
  attempt: 1,
  branches: [],
});

async function startRuns(backend: RedisBackend, count: number): Promise<string[]> {
  const runIds = Array.from({ length: count }, (_, i) => `run-${i}`);
  for (let i = 0; i < runIds.length; i += 200) {
    await Promise.all(
      runIds.slice(i, i + 200).map((runId) =>
        backend.startRun({
          runId,
          workflow: 'wf',
          version: 1,
          input: 1,
          context: {},
          startItem: startItem(runId),
          createdAt: 1,
        }),
      ),
    );
  }
  return runIds;
}

async function fullPass(backend: RedisBackend): Promise<SweepReport[]> {
  const reports: SweepReport[] = [];
  for (;;) {
    const report = await backend.queue.sweep();
    reports.push(report);
    if (report.passDone) return reports;
  }
}

describe('outbox sweeper', () => {
  const opened: RedisBackend[] = [];
  const queues: { queue: Queue; client: Redis }[] = [];
  afterEach(async () => {
    await Promise.all(
      queues.splice(0).map(async ({ queue, client }) => {
        await queue.close();
        await client.quit();
      }),
    );
    await Promise.all(opened.splice(0).map((b) => destroyTestBackend(b)));
  });

  function bullQueue(backend: RedisBackend): Queue {
    const client = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const lane = backend.bullQueueName('wf', 1);
    const queue = new Queue(lane, { connection: client, prefix: backend.keys.bullPrefix(lane) });
    queues.push({ queue, client });
    return queue;
  }

  it(
    'does not re-send the entries of thousands of queued runs, and walks them in bounded batches',
    { timeout: 60_000 },
    async () => {
      const backend = createTestBackend('sweep-deep', { sweepGraceMs: 0, sweepBatch: 500 });
      opened.push(backend);
      await startRuns(backend, 2_000);
      const queue = bullQueue(backend);
      // Queued jobs: with fair share every job carries a priority (its tag), so BullMQ keeps them in 'prioritized'.
      expect(await queue.getJobCountByTypes('wait', 'prioritized')).toBe(2_000);

      const reports = await fullPass(backend);
      // Every start item is old enough to be checked (grace 0), but each is waiting in BullMQ: none re-sent.
      expect(reports.reduce((n, r) => n + r.checked, 0)).toBeGreaterThanOrEqual(2_000);
      expect(reports.reduce((n, r) => n + r.resent, 0)).toBe(0);
      expect(reports.length).toBeGreaterThan(1);
      for (const r of reports) expect(r.runs).toBeLessThan(2_000);
      expect(await queue.getJobCountByTypes('wait', 'prioritized')).toBe(2_000);
    },
  );

  it('does not even check entries younger than the grace period', async () => {
    const backend = createTestBackend('sweep-grace', { sweepGraceMs: 60_000 });
    opened.push(backend);
    await startRuns(backend, 50);
    const reports = await fullPass(backend);
    expect(reports.reduce((n, r) => n + r.checked, 0)).toBe(0);
    expect(reports.reduce((n, r) => n + r.runs, 0)).toBe(50);
  });

  it('never runs two sweeps at once: a call during a sweep joins it', async () => {
    const backend = createTestBackend('sweep-overlap', { sweepGraceMs: 0 });
    opened.push(backend);
    await startRuns(backend, 20);
    const first = backend.queue.sweep();
    const second = backend.queue.sweep();
    expect(second).toBe(first);
    expect((await first).runs).toBe(20);
    // Once it finished, the next call is a new sweep.
    const third = backend.queue.sweep();
    expect(third).not.toBe(first);
    await third;
  });

  it('re-sends an entry whose hand-off a crash interrupted, once it is past the grace period', async () => {
    const backend = createTestBackend('sweep-lost', { sweepGraceMs: 0 });
    opened.push(backend);
    const [lost, kept] = await startRuns(backend, 2);
    const queue = bullQueue(backend);
    // The commit wrote the outbox entry but the process died before BullMQ got the job.
    const lostJobId = jobIdOf(startItem(lost as string));
    expect(await queue.remove(lostJobId)).toBe(1);

    const [report] = await fullPass(backend);
    expect(report).toMatchObject({ runs: 2, checked: 2, resent: 1 });
    expect((await queue.getJob(lostJobId))?.data).toMatchObject({ runId: lost });

    const leases = await backend.queue.lease({ workerId: 'w', leaseMs: 5_000, max: 5, waitMs: 1_000 });
    expect(leases.map((l) => l.item.runId).sort()).toEqual([lost, kept]);
    // Claimed jobs left the outbox: the next pass has nothing to check.
    const [after] = await fullPass(backend);
    expect(after).toMatchObject({ checked: 0, resent: 0 });
  });
});
