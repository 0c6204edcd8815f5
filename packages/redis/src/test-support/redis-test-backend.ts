import { randomUUID } from 'node:crypto';
import type { Backend } from '@floxide/distributed';
import { Cluster } from 'ioredis';
import type { RedisClient } from '../connection.js';
import { RedisBackend, type RedisBackendOptions } from '../redis-backend.js';

/** The Redis the integration tests use: `REDIS_URL`, else the local default. */
export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/**
 * The masters of a private Redis Cluster (`host:port,…`, set by `tools/scripts/redis-cluster.sh run`):
 * when set, the suites that read {@link testConnection} run on that cluster instead of `REDIS_URL`.
 */
export const CLUSTER_NODES = process.env['FLOXIDE_REDIS_CLUSTER'];

/** Cluster clients opened for test backends, closed with them. */
const clusters = new WeakMap<RedisBackend, Cluster>();

/** A Cluster client on {@link CLUSTER_NODES} (the caller closes it). */
export function clusterClient(nodes: string): Cluster {
  const cluster = new Cluster(
    nodes.split(',').map((node) => {
      const [host = '127.0.0.1', port = '6379'] = node.split(':');
      return { host, port: Number(port) };
    }),
    { redisOptions: { maxRetriesPerRequest: 1 } },
  );
  cluster.on('error', () => undefined);
  return cluster;
}

/** What a test backend connects with: a new Cluster client on {@link CLUSTER_NODES} when set, else the URL. */
export function testConnection(): RedisClient | string {
  return CLUSTER_NODES ? clusterClient(CLUSTER_NODES) : REDIS_URL;
}

/** A backend on {@link testConnection}; a Cluster client it got is closed by {@link closeTestBackend}. */
export function openTestBackend(options: RedisBackendOptions): RedisBackend {
  const connection = options.connection ?? testConnection();
  const backend = new RedisBackend({ ...options, connection });
  if (connection instanceof Cluster && options.connection === undefined) clusters.set(backend, connection);
  return backend;
}

/** Closes a backend of {@link openTestBackend} and the Cluster client it was given. */
export async function closeTestBackend(backend: RedisBackend): Promise<void> {
  await backend.close();
  await clusters.get(backend)?.quit();
}

/** A unique key prefix for one test backend. */
export function testPrefix(label: string): string {
  return `fxt-${label}-${randomUUID().slice(0, 8)}`;
}

/** A backend on a fresh prefix with short stalled checks (expired leases come back quickly). */
export function createTestBackend(label: string, options: Partial<RedisBackendOptions> = {}): RedisBackend {
  return openTestBackend({
    prefix: testPrefix(label),
    stalledIntervalMs: 100,
    sweepIntervalMs: 500,
    ...options,
  });
}

/** Deletes the backend's keys and closes it. */
export async function destroyTestBackend(backend: Backend): Promise<void> {
  const redis = backend as RedisBackend;
  await closeTestBackend(redis);
  const cleaner = openTestBackend({ prefix: redis.prefix });
  try {
    await cleaner.destroyAllData();
  } finally {
    await closeTestBackend(cleaner);
  }
}
