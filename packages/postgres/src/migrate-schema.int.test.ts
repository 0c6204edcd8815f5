// migrateSchema: one transaction under a transaction-scoped lock, with Kysely's Migrator bookkeeping.
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateSchema } from './migrate.js';
import {
  FloxideMigrationProvider,
  floxideMigrations,
  MIGRATION_LOCK_TABLE,
  MIGRATION_TABLE,
} from './migrations/migration-provider.js';
import { dropSchema, randomSchema, TEST_DATABASE_URL } from './test-support/postgres-test-init.js';

/** Advisory locks on the schema's migration key, held by any session of the server. */
async function migrationLocks(pool: pg.Pool, schema: string): Promise<number> {
  const result = await pool.query<{ n: string }>(
    `select count(*) as n from pg_locks where locktype = 'advisory' and objsubid = 1
       and objid = (hashtext($1)::bigint & 4294967295)::oid`,
    [`floxide:${schema}`],
  );
  return Number(result.rows[0]?.n);
}

describe('migrateSchema', () => {
  let pool: pg.Pool;
  let db: Kysely<unknown>;

  beforeAll(() => {
    pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 6 });
    db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  });

  afterAll(async () => {
    await db.destroy();
  });

  it('migrates concurrently from three callers, once, idempotently, and leaves no lock held', async () => {
    const schema = randomSchema();
    try {
      const results = await Promise.all([1, 2, 3].map(() => migrateSchema(db, schema)));
      expect(results.filter((r) => r.applied.length > 0)).toHaveLength(1);
      expect(results.flatMap((r) => r.applied)).toEqual(Object.keys(floxideMigrations(schema)).sort());
      expect((await migrateSchema(db, schema)).applied).toEqual([]);
      expect(await migrationLocks(pool, schema)).toBe(0);
    } finally {
      await dropSchema(schema);
    }
  });

  it('migrates many schemas at once while other sessions drop theirs, without one global lock', async () => {
    const loop = async (): Promise<void> => {
      for (let n = 0; n < 3; n += 1) {
        const schema = randomSchema();
        try {
          await migrateSchema(db, schema);
        } finally {
          await dropSchema(schema);
        }
      }
    };
    await Promise.all([loop(), loop(), loop(), loop(), loop()]);
  }, 60_000);

  it('refuses, with a BackendError, a schema migrated by a newer release or with a migration skipped', async () => {
    const schema = randomSchema();
    try {
      await migrateSchema(db, schema);
      const table = `"${schema}".${MIGRATION_TABLE}`;
      await pool.query(`insert into ${table} (name, timestamp) values ('9999_future', 'x')`);
      await expect(migrateSchema(db, schema)).rejects.toThrow(
        expect.objectContaining({
          name: 'BackendError',
          message: expect.stringMatching(/newer release.*9999_future/),
        }),
      );
      await pool.query(
        `delete from ${table} where name in ('9999_future', '0002_records_parking_deadlines')`,
      );
      await expect(migrateSchema(db, schema)).rejects.toThrow(/not 0002_records_parking_deadlines/);
    } finally {
      await dropSchema(schema);
    }
  });

  it('upgrades in place a schema that Kysely’s Migrator migrated part way, as earlier releases did', async () => {
    const schema = randomSchema();
    try {
      await db.schema.createSchema(schema).execute();
      const migrator = new Migrator({
        db,
        provider: new FloxideMigrationProvider(schema),
        migrationTableSchema: schema,
        migrationTableName: MIGRATION_TABLE,
        migrationLockTableName: MIGRATION_LOCK_TABLE,
      });
      const names = Object.keys(floxideMigrations(schema)).sort();
      const old = await migrator.migrateTo(names[3] as string);
      expect(old.error).toBeUndefined();
      expect((await migrateSchema(db, schema)).applied).toEqual(names.slice(4));
      // And Kysely's Migrator finds it up to date.
      const after = await migrator.migrateToLatest();
      expect(after.error).toBeUndefined();
      expect(after.results).toEqual([]);
    } finally {
      await dropSchema(schema);
    }
  });
});
