// A strand runs under the BullMQ job it started with (its carrier). When a commit that leased the next
// item is repeated (its reply was lost and the worker retried it), the repeat is a duplicate: it must hand
// the carrier job back to BullMQ instead of completing it, or nothing would ever run the strand's item.
import { advance, leaseN, startAndLease, stepCommit, testItem, testRun } from '@floxide/conformance';
import type { Lease } from '@floxide/distributed';
import { afterEach, describe, expect, it } from 'vitest';
import type { RedisBackend } from './redis-backend.js';
import { createTestBackend, destroyTestBackend } from './test-support/redis-test-backend.js';

describe('strand carrier jobs', () => {
  const opened: RedisBackend[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((b) => destroyTestBackend(b)));
  });

  it('a repeated commit under a live strand hands the carrier back: the strand item is claimed again', async () => {
    const backend = createTestBackend('strand-dup', { sweepIntervalMs: 0 });
    opened.push(backend);
    const start = await startAndLease(backend, testRun('c-1'));
    const second = testItem({ runId: 'c-1', itemId: 'c-1:second', node: 'second', input: 2 });
    const commit = { ...stepCommit(start, advance({ successors: [second] })), strand: { leaseMs: 30_000 } };
    const first = await backend.commit(commit);
    expect(first).toMatchObject({ status: 'committed', next: { item: { itemId: 'c-1:second' } } });
    expect(await backend.commit(commit)).toEqual({ status: 'duplicate' });
    const [again] = await leaseN(backend, 1);
    expect(again?.item).toMatchObject({ itemId: 'c-1:second', attempt: 1, input: 2 });
    expect(await backend.commit(stepCommit(again as Lease, advance({ output: 'done' })))).toMatchObject({
      status: 'committed',
      runStatus: 'completed',
    });
    expect(await backend.queue.pending('c-1')).toEqual([]);
  });

  it('a strand item released while its run is paused is parked as itself and runs after resume', async () => {
    const backend = createTestBackend('strand-park', { sweepIntervalMs: 0 });
    opened.push(backend);
    const start = await startAndLease(backend, testRun('c-2'));
    const second = testItem({ runId: 'c-2', itemId: 'c-2:second', node: 'second', input: 2 });
    const result = await backend.commit({
      ...stepCommit(start, advance({ successors: [second] })),
      strand: { leaseMs: 30_000 },
    });
    if (result.status !== 'committed' || !result.next) throw new Error('no strand item');
    await backend.control('c-2', 'pause');
    await backend.queue.release(result.next);
    // The carrier job comes back, is claimed for the strand item, and parked (the run is paused).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await backend.queue.lease({ workerId: 'w', leaseMs: 30_000, waitMs: 300 })).toEqual([]);
    await backend.control('c-2', 'resume');
    const [resumed] = await leaseN(backend, 1);
    expect(resumed?.item).toMatchObject({ itemId: 'c-2:second', attempt: 1, input: 2 });
    expect(await backend.commit(stepCommit(resumed as Lease, advance({ output: 'done' })))).toMatchObject({
      status: 'committed',
      runStatus: 'completed',
    });
  });
});
