import { randomUUID } from 'node:crypto';
import type { Backend } from '@floxide/distributed';
import { RedisBackend, type RedisBackendOptions } from '../redis-backend.js';

/** The Redis the integration tests use: `REDIS_URL`, else the local default. */
export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A unique key prefix for one test backend. */
export function testPrefix(label: string): string {
  return `fxt-${label}-${randomUUID().slice(0, 8)}`;
}

/** A backend on a fresh prefix with short stalled checks (expired leases come back quickly). */
export function createTestBackend(label: string, options: Partial<RedisBackendOptions> = {}): RedisBackend {
  return new RedisBackend({
    connection: REDIS_URL,
    prefix: testPrefix(label),
    stalledIntervalMs: 100,
    sweepIntervalMs: 500,
    ...options,
  });
}

/** Deletes the backend's keys and closes it. */
export async function destroyTestBackend(backend: Backend): Promise<void> {
  const redis = backend as RedisBackend;
  await redis.close();
  const cleaner = new RedisBackend({ connection: REDIS_URL, prefix: redis.prefix });
  try {
    await cleaner.destroyAllData();
  } finally {
    await cleaner.close();
  }
}
