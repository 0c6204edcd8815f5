import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Backend } from '@floxide/distributed';
import { PostgresBackend } from '@floxide/postgres';
import { RedisBackend } from '@floxide/redis';
import { databaseUrl, redisUrl } from '../backends.js';

/** The backends the fault cases run on: both need several processes on one store, so memory has none. */
export type FaultBackendName = 'redis' | 'postgres';

/** Where a fault case's processes meet: a backend kind, its server's URL and a namespace of their own. */
export interface FaultTarget {
  readonly name: FaultBackendName;
  readonly url: string;
  /** Redis key prefix or PostgreSQL schema. */
  readonly namespace: string;
  /** The environment a worker process needs to open the same backend (see `fault-worker.ts`). */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Opens a backend of `target` in this process. Workers use short Redis stalled/sweep intervals so a killed
 * worker's items come back within about a second (the same settings as the backends' crash tests).
 */
export function openBackend(target: FaultTarget, role: 'orchestrator' | 'worker'): Backend {
  if (target.name === 'redis')
    return new RedisBackend({
      connection: target.url,
      prefix: target.namespace,
      ...(role === 'worker' ? { stalledIntervalMs: 200, sweepIntervalMs: 1_000 } : {}),
    });
  return new PostgresBackend({
    connectionString: target.url,
    schema: target.namespace,
    autoMigrate: false,
    poolSize: role === 'worker' ? 6 : 8,
  });
}

/** A fresh target on the server at `url` (default: the shared one): own prefix or schema, migrated. */
export async function createTarget(name: FaultBackendName, url?: string): Promise<FaultTarget> {
  const id = randomBytes(5).toString('hex');
  const namespace = name === 'redis' ? `floxide-chaos-fault-${id}` : `floxide_chaos_fault_${id}`;
  const at = url ?? (name === 'redis' ? redisUrl() : databaseUrl());
  const target: FaultTarget = {
    name,
    url: at,
    namespace,
    env: { CHAOS_BACKEND: name, CHAOS_URL: at, CHAOS_NAMESPACE: namespace },
  };
  if (name === 'postgres') {
    const backend = new PostgresBackend({ connectionString: at, schema: namespace, poolSize: 1 });
    try {
      await backend.migrate();
    } finally {
      await backend.close();
    }
  }
  return target;
}

/** Deletes every trace of `target` (key prefix or schema); the server itself stays. */
export async function dropTarget(target: FaultTarget): Promise<void> {
  if (target.name === 'redis') {
    const backend = new RedisBackend({ connection: target.url, prefix: target.namespace });
    try {
      await backend.destroyAllData();
    } finally {
      await backend.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${target.namespace}" cascade`);
  } finally {
    await client.end();
  }
}
