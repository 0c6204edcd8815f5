// Wide fan-outs (issue 11 §1): every stale job's claim, and every duplicate commit, used to return the run's
// whole outbox and the worker re-flushed all of it, so the cost of one step grew with the fan-out and a
// flush of an old snapshot re-created jobs of items that had finished meanwhile. Recovery paths that run
// once per step now re-send a small outbox only; a large one is the sweeper's.
import type { WorkItem } from '@floxide/core/engine';
import type { Lease } from '@floxide/distributed';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { jobIdOf } from './item-codec.js';
import type { RedisBackend } from './redis-backend.js';
import { createTestBackend, destroyTestBackend, REDIS_URL } from './test-support/redis-test-backend.js';

const BRANCHES = 2_000;
/**
 * No sweeper of its own, and the fan-out written by its commit in one script (not staged and drained in the
 * background, see wide-fanout.int.test.ts): when the commit returns, the whole outbox is there and handed.
 */
const WIDE_OUTBOX = { sweepIntervalMs: 0, sweepGraceMs: 0, fanoutBatch: BRANCHES };
const item = (itemId: string, node: string, input: unknown = 1): WorkItem => ({
  itemId,
  runId: 'wide',
  workflow: 'wf',
  version: 1,
  node,
  input,
  attempt: 1,
  branches: [],
});
const advance = (successors: WorkItem[]) =>
  ({
    kind: 'advance',
    successors,
    joins: [],
    transition: successors.length > 1 ? 'nextAll' : 'next',
    contextOps: [],
    durationMs: 1,
  }) as const;

describe('a run with a large outbox', () => {
  const opened: RedisBackend[] = [];
  const cleanup: (() => Promise<unknown>)[] = [];
  const realAddBulk = Queue.prototype.addBulk;
  afterEach(async () => {
    Queue.prototype.addBulk = realAddBulk;
    for (const c of cleanup.splice(0)) await c();
    await Promise.all(opened.splice(0).map((b) => destroyTestBackend(b)));
  });

  it(
    'a stale job and a duplicate commit re-send none of it; the sweeper still recovers a lost hand-off',
    { timeout: 60_000 },
    async () => {
      const backend = createTestBackend('wide-outbox', WIDE_OUTBOX);
      opened.push(backend);
      const start = item('start', 'fan');
      await backend.startRun({
        runId: 'wide',
        workflow: 'wf',
        version: 1,
        input: 1,
        context: {},
        startItem: start,
        createdAt: 1,
      });
      const [startLease] = await backend.queue.lease({ workerId: 'w', leaseMs: 30_000, waitMs: 2_000 });
      const branches = Array.from({ length: BRANCHES }, (_, i) => item(`b${i}`, 'work', i));
      const fanOut = { lease: startLease as Lease, outcome: advance(branches), at: Date.now() };
      expect(await backend.commit(fanOut)).toMatchObject({ status: 'committed' });

      // Count every job handed to BullMQ from here on.
      let handed = 0;
      Queue.prototype.addBulk = function (this: Queue, jobs: Parameters<Queue['addBulk']>[0]) {
        handed += jobs.length;
        return realAddBulk.call(this, jobs);
      } as Queue['addBulk'];

      // The fan-out's job comes back (e.g. redelivered after a crash): its claim finds it stale.
      const client = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
      const lane = backend.bullQueueName('wf', 1);
      const queue = new Queue(lane, { connection: client, prefix: backend.keys.bullPrefix(lane) });
      cleanup.push(
        () => client.quit(),
        () => queue.close(),
      );
      // (The fan-out's completion already fetched b0 for this worker: take it first.)
      const first = await backend.queue.lease({ workerId: 'w', leaseMs: 30_000, waitMs: 2_000, max: 1 });
      expect(first.map((l) => l.item.itemId)).toEqual(['b0']);
      const staleAt = handed;
      await realAddBulk.call(queue, [
        { name: 'fan', data: start, opts: { jobId: jobIdOf(start), lifo: true, removeOnComplete: true } },
      ]);
      const got = await backend.queue.lease({ workerId: 'w', leaseMs: 30_000, waitMs: 2_000, max: 1 });
      expect(got.map((l) => l.item.itemId)).toEqual(['b1']);
      expect(handed - staleAt).toBe(0);
      expect(await queue.getJobState(jobIdOf(start))).toBe('unknown');

      // The same step committed again is a duplicate: nothing is re-sent either.
      expect(await backend.commit(fanOut)).toEqual({ status: 'duplicate' });
      expect(handed - staleAt).toBe(0);

      // A hand-off that never happened (the job is missing from BullMQ) is recovered by the sweeper.
      const lost = jobIdOf(branches[BRANCHES - 1] as WorkItem);
      await queue.remove(lost);
      // Each tick looks at one page of the outbox: within a few ticks the whole outbox was checked.
      let resent = 0;
      for (let i = 0; i < 10 && resent === 0; i += 1) resent += (await backend.queue.sweep()).resent;
      expect(resent).toBe(1);
      expect(await queue.getJob(lost)).toBeDefined();
      // Queued jobs: with fair share every job carries a priority (its tag), so BullMQ keeps them in 'prioritized'.
      expect(await queue.getJobCountByTypes('wait', 'prioritized')).toBe(BRANCHES - 2); // b0 and b1 are leased
    },
  );

  it(
    'a sweep tick checks one bounded page of the outbox and carries on from there next tick',
    { timeout: 60_000 },
    async () => {
      const backend = createTestBackend('wide-sweep', { ...WIDE_OUTBOX, sweepBatch: 500 });
      opened.push(backend);
      const start = item('start', 'fan');
      await backend.startRun({
        runId: 'wide',
        workflow: 'wf',
        version: 1,
        input: 1,
        context: {},
        startItem: start,
        createdAt: 1,
      });
      const [startLease] = await backend.queue.lease({ workerId: 'w', leaseMs: 30_000, waitMs: 2_000 });
      const branches = Array.from({ length: BRANCHES }, (_, i) => item(`b${i}`, 'work', i));
      await backend.commit({ lease: startLease as Lease, outcome: advance(branches), at: Date.now() });
      const checked: number[] = [];
      let resent = 0;
      for (let i = 0; i < 8; i += 1) {
        const report = await backend.queue.sweep();
        checked.push(report.checked);
        resent += report.resent;
      }
      // HSCAN's COUNT is a hint: a page is about sweepBatch entries, never the whole outbox.
      for (const n of checked) expect(n).toBeLessThan(BRANCHES / 2);
      expect(checked.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(BRANCHES);
      expect(resent).toBe(0);
    },
  );
});
