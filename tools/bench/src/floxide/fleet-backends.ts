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
  /**
   * Another connection to the same store (same prefix / schema), as another worker process would open:
   * its own Redis connections or Postgres pool. Memory answers its one in-process backend. Close it before
   * `dispose`.
   */
  connect(): Promise<{ backend: Backend; close(): Promise<void> }>;
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
        connect: () => Promise.resolve({ backend, close: () => Promise.resolve() }),
        dispose: () => backend.close(),
      };
    },
    async () => {
      const open = (prefix: string) =>
        new RedisBackend({
          connection: urls.redisUrl,
          prefix,
          sweepIntervalMs: 200,
          ...(retention === undefined ? {} : { retention }),
        });
      const backend = open(`bench-fleet-${uniqueSuffix()}`);
      return {
        label: 'Floxide RedisBackend',
        backend,
        footprint: async () => ({
          figure: await countKeysWithPrefix(urls.redisUrl, `${backend.prefix}:`),
          unit: 'keys of the prefix',
        }),
        connect: () => {
          const peer = open(backend.prefix);
          return Promise.resolve({ backend: peer, close: () => peer.close() });
        },
        dispose: async () => {
          await backend.destroyAllData();
          await backend.close();
        },
      };
    },
    async () => {
      const open = (schema: string) =>
        new PostgresBackend({
          connectionString: urls.databaseUrl,
          schema,
          poolSize: 8,
          retentionSweepMs: 200,
          ...(retention === undefined ? {} : { retention }),
        });
      const backend = open(`bench_fleet_${uniqueSuffix()}`);
      await backend.migrate();
      return {
        label: 'Floxide PostgresBackend',
        backend,
        footprint: async () => ({ figure: await countRows(urls.databaseUrl, backend.schema), unit: 'rows' }),
        connect: () => {
          const peer = open(backend.schema);
          return Promise.resolve({ backend: peer, close: () => peer.close() });
        },
        dispose: async () => {
          await backend.destroyAllData();
          await backend.close();
        },
      };
    },
  ];
}
