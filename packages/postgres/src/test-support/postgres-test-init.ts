import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { BackendTestInit } from '@floxide/conformance';
import { PostgresBackend } from '../postgres-backend.js';
import type { PostgresBackendOptions } from '../postgres-backend-options.js';
import { pgbouncerTestUrl } from './pgbouncer-test-url.js';
import { TEST_DATABASE_URL } from './test-database-url.js';

export { TEST_DATABASE_URL } from './test-database-url.js';

/** A fresh schema name for one test backend. */
export function randomSchema(): string {
  return `floxide_test_${randomBytes(6).toString('hex')}`;
}

/** Drops a test schema and everything in it, on a short-lived connection of its own. */
export async function dropSchema(schema: string, connectionString = TEST_DATABASE_URL): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

/**
 * How test backends connect: straight to the test database, or — in the `pgbouncer` test project —
 * through PgBouncer in transaction mode, with LISTEN on a direct connection.
 */
function testConnectionOptions(): PostgresBackendOptions {
  const pooled = pgbouncerTestUrl();
  if (pooled === undefined) return { connectionString: TEST_DATABASE_URL };
  return { connectionString: pooled, transactionPooler: true, listenConnection: TEST_DATABASE_URL };
}

/** A migrated backend in a schema of its own (through the test PgBouncer in the `pgbouncer` project). */
export async function createTestBackend(options: PostgresBackendOptions = {}): Promise<PostgresBackend> {
  const backend = new PostgresBackend({
    ...testConnectionOptions(),
    poolSize: 4,
    schema: randomSchema(),
    ...options,
  });
  try {
    await backend.migrate();
  } catch (error) {
    // Leave nothing behind: the suites never call destroy() for a backend create() did not return.
    await destroyTestBackend(backend);
    throw error;
  }
  return backend;
}

/** Closes a test backend and drops its schema. */
export async function destroyTestBackend(backend: PostgresBackend): Promise<void> {
  await backend.close();
  await dropSchema(backend.schema);
}

/** How the conformance suites get PostgreSQL backends: a new schema per backend, dropped afterwards. */
export const postgresTestInit: BackendTestInit = {
  name: 'postgres',
  create: () => createTestBackend(),
  destroy: (backend) => destroyTestBackend(backend as PostgresBackend),
};
