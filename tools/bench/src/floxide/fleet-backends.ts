import { MemoryBackend, type Backend, type RetentionOption } from '@floxide/distributed';
import { PostgresBackend } from '@floxide/postgres';
import { RedisBackend } from '@floxide/redis';
import pg from 'pg';
import { countKeysWithPrefix } from '../env/redis-env.js';
import { uniqueSuffix } from '../env/service-urls.js';

/** Rows of every run-data table of a schema. */
async function countRows(databaseUrl: string, schema: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    let total = 0;
    for (const table of [
      'runs',
      'work_items',
      'join_arrivals',
      'errors',
      'events',
      'node_timings',
      'context_fields',
    ]) {
      const result = await client.query<{ n: number }>(`select count(*)::int as n from "${schema}".${table}`);
      total += result.rows[0]?.n ?? 0;
    }
    return total;
  } finally {
    await client.end();
  }
}

/** One backend of the fleet scenarios, created fresh (own prefix / schema) and destroyed afterwards. */
export interface FleetBackend {
  readonly label: string;
  readonly backend: Backend;
  /** Stored records of the backend, for "flat" checks: Redis keys of the prefix, Postgres rows, Memory runs. */
  footprint(): Promise<{ figure: number; unit: string }>;
  /** Where a worker in another process finds this store; none for Memory (in-process only). */
  readonly location?: {
    readonly backend: 'redis' | 'postgres';
    readonly url: string;
    readonly namespace: string;
  };
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
        footprint: async () => ({ figure: await countRows(urls.databaseUrl, backend.schema), unit: 'rows' }),
        dispose: async () => {
          await backend.destroyAllData();
          await backend.close();
        },
      };
    },
  ];
}
