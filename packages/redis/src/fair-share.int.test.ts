import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignFairTags } from './fair-share.js';
import { RedisKeys } from './keys.js';
import { REDIS_URL } from './test-support/redis-test-backend.js';

type Jobs = Parameters<Queue['addBulk']>[0];

/** `n` jobs of `run` (ids `<run>/<i>`). */
function jobsOf(run: string, n: number): Jobs {
  return Array.from({ length: n }, (_, i) => ({ name: 'n', data: { run }, opts: { jobId: `${run}/${i}` } }));
}

// The fair-tags script against a real Redis and BullMQ queue: tags interleave runs, and a lane whose tags
// would pass the limit is rebased (queued jobs' BullMQ priorities lowered) rather than overflowing.
describe('fair tags on Redis', () => {
  const keys = new RedisKeys(`test-fair-${randomUUID()}`);
  const lane = 'q.1.fair';
  let client: Redis;
  let queue: Queue;
  beforeAll(() => {
    client = new Redis(REDIS_URL);
    queue = new Queue(lane, {
      connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }),
      prefix: keys.bullPrefix(lane),
    });
  });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    const fair = keys.fair(lane);
    await client.del(fair.runs, fair.clock);
    await client.quit();
  });

  const add = async (run: string, n: number, limit?: number): Promise<Jobs> => {
    const jobs = jobsOf(run, n);
    await assignFairTags(client, keys, lane, jobs, (job) => (job.data as { run: string }).run, limit);
    await queue.addBulk(jobs);
    return jobs;
  };
  const priorities = async (run: string, n: number): Promise<number[]> =>
    Promise.all(
      Array.from({ length: n }, async (_, i) => (await queue.getJob(`${run}/${i}`))?.priority ?? -1),
    );

  it('a run enqueued behind a backlog takes the next turn; the limit rebases the lane', async () => {
    await add('a', 60, 100);
    expect(await priorities('a', 60)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    // Serve the first 50 of the backlog: V follows the head of the queue.
    for (let i = 0; i < 50; i++) await queue.remove(`a/${i}`);
    const b = await add('b', 1, 100);
    expect(b[0]?.opts?.priority).toBe(51);
    // 60 more of run c would pass 100: the lane is lowered by V - 1 = 49 first.
    await add('c', 60, 100);
    expect(await priorities('a', 60).then((p) => p.slice(50))).toEqual(
      Array.from({ length: 10 }, (_, i) => i + 2),
    );
    expect(await priorities('b', 1)).toEqual([2]);
    expect(await priorities('c', 60)).toEqual(Array.from({ length: 60 }, (_, i) => i + 2));
    // BullMQ serves by the rewritten priorities: the backlog's next job and the others' first ones come first.
    const order = (await queue.getPrioritized(0, 3)).map((j) => j.id);
    expect(order).toEqual(['a/50', 'b/0', 'c/0', 'a/51']);
  });
});
