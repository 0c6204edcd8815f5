import { isCluster, type RedisClient } from './connection.js';

/** How many times a pipeline answered with a Cluster redirect is sent again before its error stands. */
export const REDIRECT_ATTEMPTS = 5;

/** Errors of a Cluster whose slots are moving or have no master yet (a failover): the same call succeeds later. */
const REDIRECT = /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN)\b/;

/** True for a Cluster redirect or failover state in a pipeline reply (ioredis follows them only for whole pipelines). */
export function isClusterRedirect(error: unknown): boolean {
  return error instanceof Error && REDIRECT.test(error.message);
}

/**
 * Before sending a redirected pipeline again: asks the Cluster client to reload its slot map and waits a
 * little longer on each attempt (a promotion takes a few hundred ms to be seen by every node).
 *
 * @remarks ioredis sends a pipeline again by itself only when every reply is the same redirect or a read;
 * a pipeline with `WAIT` (durability) gets the script's `MOVED` and a successful `WAIT`, so it does not.
 */
export async function beforeRedirectRetry(client: RedisClient, attempt: number): Promise<void> {
  if (isCluster(client)) client.refreshSlotsCache();
  await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
}
