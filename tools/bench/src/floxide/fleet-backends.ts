import { MemoryBackend, type Backend, type RetentionOption } from '@floxide/distributed';
import { PostgresBackend } from '@floxide/postgres';
import { RedisBackend } from '@floxide/redis';
import { Redis } from 'ioredis';
import pg from 'pg';
import { countKeysWithPrefix } from '../env/redis-env.js';
import { uniqueSuffix } from '../env/service-urls.js';
import type { StoreLocation } from '../workers/serve-worker-process.js';

/** The tables that hold run data (what retention deletes). */
const RUN_TABLES = [
  'runs',
  'work_items',
  'join_arrivals',
  'errors',
  'events',
  'node_timings',
  'context_fields',
] as const;

/** Rows of every run-data table of a schema. */
async function countRows(databaseUrl: string, schema: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    let total = 0;
    for (const table of RUN_TABLES) {
      const result = await client.query<{ n: number }>(`select count(*)::int as n from "${schema}".${table}`);
      total += result.rows[0]?.n ?? 0;
    }
    return total;
  } finally {
    await client.end();
  }
}

/**
 * Total relation size (heap, indexes, TOAST) of the run-data tables of a schema after a plain VACUUM, which
 * makes dead rows' space reusable but returns none of it to the OS: "flat" means retention keeps the
 * tables from growing, as the issue asks ("table sizes flat after VACUUM").
 */
async function vacuumedTableBytes(databaseUrl: string, schema: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    let total = 0;
    for (const table of RUN_TABLES) {
      await client.query(`vacuum "${schema}".${table}`);
      const result = await client.query<{ n: string }>(
        `select pg_total_relation_size('"${schema}".${table}')::text as n`,
      );
      total += Number(result.rows[0]?.n ?? 0);
    }
    return total;
  } finally {
    await client.end();
  }
}

/** `used_memory` from `INFO memory`: the whole server's, so exact only on a server of the scenario's own. */
async function redisUsedMemory(url: string): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect();
  try {
    const info = await redis.info('memory');
    return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? Number.NaN);
  } finally {
    redis.disconnect();
  }
}

/** One backend of the fleet scenarios, created fresh (own prefix / schema) and destroyed afterwards. */
export interface FleetBackend {
  readonly label: string;
  readonly backend: Backend;
  /** Stored records of the backend, for "flat" checks: Redis keys of the prefix, Postgres rows, Memory runs. */
  footprint(): Promise<{ figure: number; unit: string }>;
  /**
   * Bytes the store holds: Redis `used_memory` (server-wide: meaningful on a private server), Postgres
   * the run tables' total relation size after a VACUUM of the schema; none for Memory.
   */
  bytes?(): Promise<number>;
  /** Where a worker in another process finds this store; none for Memory (in-process only). */
  readonly location?: StoreLocation;
  dispose(): Promise<void>;
}

/** The three backends, each with `retention` (fast sweeps so retention is visible within seconds). */
export function fleetBackends(
  urls: { redisUrl: string; databaseUrl: string },
  retention?: RetentionOption,
): (() => Promise<FleetBackend>)[] {
  return [
    async () => {
      const backend = new MemoryBackend({
        ...(retention === undefined ? {} : { retention }),
        retentionSweepMs: 100,
      });
      return {
        label: 'Floxide MemoryBackend',
        backend,
        footprint: async () => ({
          figure: (await backend.runs.list({ limit: 1_000_000 })).runs.length,
          unit: 'runs held',
        }),
        dispose: () => backend.close(),
      };
    },
    async () => {
      const backend = new RedisBackend({
        connection: urls.redisUrl,
        prefix: `bench-fleet-${uniqueSuffix()}`,
        sweepIntervalMs: 200,
        ...(retention === undefined ? {} : { retention }),
      });
      return {
        label: 'Floxide RedisBackend',
        backend,
        location: { backend: 'redis', url: urls.redisUrl, namespace: backend.prefix },
        bytes: () => redisUsedMemory(urls.redisUrl),
        footprint: async () => ({
          figure: await countKeysWithPrefix(urls.redisUrl, `${backend.prefix}:`),
          unit: 'keys of the prefix',
        }),
        dispose: async () => {
          await backend.destroyAllData();
          await backend.close();
        },
      };
    },
    async () => {
      const backend = new PostgresBackend({
        connectionString: urls.databaseUrl,
        schema: `bench_fleet_${uniqueSuffix()}`,
        poolSize: 8,
        retentionSweepMs: 200,
        ...(retention === undefined ? {} : { retention }),
      });
      await backend.migrate();
      return {
        label: 'Floxide PostgresBackend',
        backend,
        location: { backend: 'postgres', url: urls.databaseUrl, namespace: backend.schema },
        bytes: () => vacuumedTableBytes(urls.databaseUrl, backend.schema),
        footprint: async () => ({ figure: await countRows(urls.databaseUrl, backend.schema), unit: 'rows' }),
        dispose: async () => {
          await backend.destroyAllData();
          await backend.close();
        },
      };
    },
  ];
}
