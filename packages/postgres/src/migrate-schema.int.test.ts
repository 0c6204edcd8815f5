// migrateSchema on both paths: the backend's dialect (one transaction, transaction-scoped lock) and a
// Kysely of one's own on Kysely's PostgresDialect (session lock, as in earlier releases).
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { FloxidePostgresDialect } from './floxide-postgres-dialect.js';
import { migrateSchema } from './migrate.js';
import { dropSchema, randomSchema, TEST_DATABASE_URL } from './test-support/postgres-test-init.js';

/** Advisory locks on the schema's migration key, held by any session of the server. */
async function migrationLocks(schema: string): Promise<number> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const result = await client.query<{ n: string }>(
      `select count(*) as n from pg_locks where locktype = 'advisory' and objsubid = 1
         and objid = (hashtext($1)::bigint & 4294967295)::oid`,
      [`floxide:${schema}`],
    );
    return Number(result.rows[0]?.n);
  } finally {
    await client.end();
  }
}

describe.each([
  ['the backend dialect', (pool: pg.Pool) => new FloxidePostgresDialect({ pool })],
  ["Kysely's PostgresDialect", (pool: pg.Pool) => new PostgresDialect({ pool })],
])('migrateSchema on %s', (_name, dialect) => {
  it('migrates concurrently from three callers, once, idempotently, and leaves no lock held', async () => {
    const schema = randomSchema();
    const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 4 });
    const db = new Kysely<unknown>({ dialect: dialect(pool) });
    try {
      const results = await Promise.all([1, 2, 3].map(() => migrateSchema(db, schema)));
      expect(results.filter((r) => r.applied.length > 0)).toHaveLength(1);
      expect((await migrateSchema(db, schema)).applied).toEqual([]);
      expect(await migrationLocks(schema)).toBe(0);
    } finally {
      await db.destroy();
      await dropSchema(schema);
    }
  });
});
