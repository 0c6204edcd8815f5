import { Redis } from 'ioredis';

/** An ioredis client configured the way BullMQ requires for workers (`maxRetriesPerRequest: null`). */
export function bullmqConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null });
}

/** The Redis URL of a contender environment, or a clear error when the scenario forgot it. */
export function requireRedisUrl(env: { readonly redisUrl?: string }): string {
  if (!env.redisUrl) throw new Error('this contender needs a Redis URL');
  return env.redisUrl;
}

/** Checks a BullMQ queue holds no unfinished or failed job after every run completed. */
export async function bullmqLeftovers(queue: {
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
}): Promise<string[]> {
  const counts = await queue.getJobCounts(
    'waiting',
    'active',
    'delayed',
    'failed',
    'waiting-children',
    'prioritized',
  );
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} job(s) left in state ${state}`);
}
