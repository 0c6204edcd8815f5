// `release` once moved the job back to BullMQ and then, in a second call, reset the item to `pending`: a
// claim by another worker in between saw the job, marked the item running, and the late reset turned that
// worker's running item `pending` (and dropped it from the leased set). Release is now one decision keyed
// by the lease's lock token, so a claim by another worker can never be undone by it.
import type { WorkItem } from '@floxide/core/engine';
import type { Lease } from '@floxide/distributed';
import { Job } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import type { RedisBackend } from './redis-backend.js';
import { createTestBackend, destroyTestBackend, testPrefix } from './test-support/redis-test-backend.js';

const startItem = (runId: string): WorkItem => ({
  itemId: `${runId}:start`,
  runId,
  workflow: 'wf',
  version: 1,
  node: 'start',
  input: 1,
  attempt: 1,
  branches: [],
});

describe('release against a concurrent claim', () => {
  const opened: RedisBackend[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((b) => destroyTestBackend(b)));
  });

  async function twoWorkers(label: string): Promise<[RedisBackend, RedisBackend]> {
    const prefix = testPrefix(label);
    const a = createTestBackend(label, { prefix, sweepIntervalMs: 0 });
    const b = createTestBackend(label, { prefix, sweepIntervalMs: 0 });
    opened.push(a, b);
    await a.startRun({
      runId: 'r',
      workflow: 'wf',
      version: 1,
      input: 1,
      context: {},
      startItem: startItem('r'),
      createdAt: 1,
    });
    return [a, b];
  }

  it('a claim by another worker right after the job went back to the queue keeps its item running', async () => {
    const [a, b] = await twoWorkers('release-race');
    const [lease] = await a.queue.lease({ workerId: 'a', leaseMs: 30_000, waitMs: 2_000 });
    expect(lease).toBeDefined();
    // The other worker claims the job the moment it is back in BullMQ, before release returns.
    const original = Job.prototype.moveToWait;
    let stolen: Lease[] = [];
    Job.prototype.moveToWait = async function (this: Job, token?: string) {
      const result = await original.call(this, token);
      Job.prototype.moveToWait = original;
      stolen = await b.queue.lease({ workerId: 'b', leaseMs: 30_000, waitMs: 2_000 });
      return result;
    };
    try {
      await a.queue.release(lease as Lease);
    } finally {
      Job.prototype.moveToWait = original;
    }
    expect(stolen).toHaveLength(1);
    expect((await a.items.get('r', 'r:start'))?.status).toBe('running');
    expect((await a.metrics.get('r'))?.running).toBe(1);
    // The new owner's lease is intact: it commits the step.
    const result = await b.commit({
      lease: stolen[0] as Lease,
      outcome: {
        kind: 'advance',
        successors: [],
        joins: [],
        output: { value: 2 },
        transition: 'next',
        contextOps: [],
        durationMs: 1,
      },
      at: Date.now(),
    });
    expect(result).toMatchObject({ status: 'committed', runStatus: 'completed' });
    expect((await a.items.get('r', 'r:start'))?.status).toBe('completed');
  });

  it('a release after the lock lapsed and another worker claimed the job changes nothing', async () => {
    const [a, b] = await twoWorkers('release-late');
    const [lease] = await a.queue.lease({ workerId: 'a', leaseMs: 300, waitMs: 2_000 });
    expect(lease).toBeDefined();
    const stolen = await b.queue.lease({ workerId: 'b', leaseMs: 30_000, waitMs: 5_000 });
    expect(stolen).toHaveLength(1);
    await a.queue.release(lease as Lease);
    expect((await a.items.get('r', 'r:start'))?.status).toBe('running');
    expect((await a.metrics.get('r'))?.running).toBe(1);
  });
});
