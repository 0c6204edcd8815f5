import { createScratchDatabase } from '../env/postgres-env.js';
import { deleteKeysWithPrefix } from '../env/redis-env.js';
import { uniqueSuffix } from '../env/service-urls.js';
import type { ContenderEnv } from '../workers/queue-contender.js';

/** A contender environment (with the scenario's shape `S`) and how to throw it away. */
export interface DisposableEnv<S extends ChainShape = ChainShape> {
  readonly env: ContenderEnv & S;
  /** The scratch database's name (Postgres only), for `pg_stat_database`. */
  readonly database?: string;
  dispose(): Promise<void>;
}

/** Creates isolated environments for one scenario run; `contender` names the namespace / database. */
export type EnvFactory<S extends ChainShape = ChainShape> = (contender: string) => Promise<DisposableEnv<S>>;

/** Sizes shared by the chain scenarios. */
export interface ChainShape {
  readonly stepsPerRun: number;
  readonly concurrency: number;
}

/** Redis environments: a unique key prefix per contender, its keys deleted afterwards. */
export function redisEnvFactory<S extends ChainShape>(redisUrl: string, shape: S): EnvFactory<S> {
  return async (contender) => {
    const namespace = `floxide-bench-${uniqueSuffix()}-${contender}`;
    return {
      env: { redisUrl, namespace, ...shape },
      async dispose() {
        await deleteKeysWithPrefix(redisUrl, namespace);
      },
    };
  };
}

/**
 * Postgres environments: a scratch database per contender (so `pg_stat_database` counts only it), a
 * schema named after the contender inside it, the database dropped afterwards.
 */
export function postgresEnvFactory<S extends ChainShape>(adminUrl: string, shape: S): EnvFactory<S> {
  return async (contender) => {
    const db = await createScratchDatabase(adminUrl, contender.replace(/-/g, '_'));
    return {
      env: { databaseUrl: db.url, namespace: `bench_${contender.replace(/-/g, '_')}`, ...shape },
      database: db.name,
      dispose: () => db.drop(),
    };
  };
}
