import { PostgresBackend } from '@floxide/postgres';
import { queryOnce, quoteIdent, requireDatabaseUrl } from '../peers/postgres-peer-helpers.js';
import { floxideQueueContender, type FloxideBackendFactory } from './floxide-queue-contender.js';

/** `PostgresBackend`s in the environment's schema (SKIP LOCKED claims, one transaction per commit). */
export const floxidePostgresBackends: FloxideBackendFactory = {
  async forOrchestrator(env) {
    const backend = new PostgresBackend({
      connectionString: requireDatabaseUrl(env),
      schema: env.namespace,
    });
    await backend.migrate();
    return backend;
  },
  // A pool as large as the concurrency, like the peers' worker pools, so no step waits for a connection.
  forWorker: async (env) =>
    new PostgresBackend({
      connectionString: requireDatabaseUrl(env),
      schema: env.namespace,
      poolSize: env.concurrency + 4,
      autoMigrate: false,
    }),
  async cleanup(env) {
    await queryOnce(requireDatabaseUrl(env), `DROP SCHEMA IF EXISTS ${quoteIdent(env.namespace)} CASCADE`);
  },
};

/** Floxide on PostgreSQL, strands on (the default). */
export const floxidePostgresChain = floxideQueueContender({
  id: 'floxide-postgres',
  label: 'Floxide on Postgres',
  backends: floxidePostgresBackends,
  strands: true,
});

/** Floxide on PostgreSQL with `strands: false`: every step through the queue (the queue-only mode). */
export const floxidePostgresChainQueueOnly = floxideQueueContender({
  id: 'floxide-postgres-queue-only',
  label: 'Floxide on Postgres (strands: false)',
  backends: floxidePostgresBackends,
  strands: false,
});
