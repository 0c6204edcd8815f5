import { Migrator, sql, type Kysely, type MigrationResultSet } from 'kysely';
import { isRetryableDriverError } from './errors.js';
import { takesNoMigrationLock } from './floxide-postgres-dialect.js';
import {
  FloxideMigrationProvider,
  MIGRATION_LOCK_TABLE,
  MIGRATION_TABLE,
} from './migrations/migration-provider.js';

/** What {@link migrateSchema} did: the names of the migrations it applied (empty when up to date). */
export interface MigrateResult {
  readonly applied: readonly string[];
}

/**
 * Creates or upgrades the Floxide tables of `schema` to the latest migration.
 *
 * @remarks
 * The whole migration is one transaction (PostgreSQL's DDL is transactional) holding a transaction-scoped
 * advisory lock keyed by the schema name, so processes that start together do not race on `create schema`
 * / `create table`, a failed migration leaves nothing half-done, and no lock or setting outlives the
 * transaction: it runs unchanged through a transaction-mode pooler such as PgBouncer. The lock key is the
 * one older releases took as a session lock, so they and this one still exclude each other. Idempotent: an
 * up-to-date schema is left alone. The bookkeeping tables live inside `schema` too, so dropping the schema
 * removes every trace.
 *
 * On a Kysely of your own (Kysely's `PostgresDialect`, whose Migrator takes a session lock of its own)
 * the migration runs as in earlier releases: under a session advisory lock on one connection, which needs
 * a direct connection, not a transaction-mode pooler. The backend's `migrate()` always takes the
 * one-transaction path.
 */
export async function migrateSchema(db: Kysely<unknown>, schema: string): Promise<MigrateResult> {
  // DDL racing other sessions' catalog changes can hit a deadlock or serialization failure: start over.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await migrateOnce(db, schema);
    } catch (error) {
      if (attempt >= 3 || !isRetryableDriverError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

async function migrateOnce(db: Kysely<unknown>, schema: string): Promise<MigrateResult> {
  const migrate = takesNoMigrationLock(db) ? migrateInOneTransaction : migrateUnderSessionLock;
  return { applied: appliedNames(await migrate(db, schema)) };
}

function migrator(db: Kysely<unknown>, schema: string, disableTransactions: boolean): Migrator {
  return new Migrator({
    db,
    provider: new FloxideMigrationProvider(schema),
    migrationTableSchema: schema,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    disableTransactions,
  });
}

/** Everything in one transaction under a transaction-scoped lock: safe through PgBouncer. */
function migrateInOneTransaction(db: Kysely<unknown>, schema: string): Promise<MigrationResultSet> {
  return db.connection().execute(async (conn) => {
    // BEGIN … COMMIT by hand: Kysely's Migrator cannot run inside a Kysely transaction object.
    await sql`begin`.execute(conn);
    try {
      await sql`select pg_advisory_xact_lock(hashtext(${`floxide:${schema}`}))`.execute(conn);
      await sql.raw(`create schema if not exists "${schema}"`).execute(conn);
      const migrated = await migrator(conn, schema, true).migrateToLatest();
      if (migrated.error !== undefined) throw migrated.error;
      await sql`commit`.execute(conn);
      return migrated;
    } catch (error) {
      // A broken connection cannot roll back; the server aborts its transaction by itself then.
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw error;
    }
  });
}

/** A session lock around Kysely's own transaction: needs a direct connection (a foreign Kysely). */
function migrateUnderSessionLock(db: Kysely<unknown>, schema: string): Promise<MigrationResultSet> {
  const lockKey = `floxide:${schema}`;
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(hashtext(${lockKey}))`.execute(conn);
    try {
      await sql.raw(`create schema if not exists "${schema}"`).execute(conn);
      return await migrator(conn, schema, false).migrateToLatest();
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${lockKey}))`.execute(conn);
    }
  });
}

function appliedNames(result: MigrationResultSet): string[] {
  // The caller translates driver errors (see errors.ts); rethrowing keeps the SQLSTATE available.
  if (result.error !== undefined) throw result.error;
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
