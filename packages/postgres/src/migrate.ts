import { Migrator, sql, type Kysely, type MigrationResultSet } from 'kysely';
import { isRetryableDriverError } from './errors.js';
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
 * A session advisory lock keyed by the schema name is held around the whole migration, so processes that
 * start together do not race on `create schema` / `create table` (Kysely's own lock covers only the
 * migration step, not the creation of its bookkeeping tables). Idempotent: an up-to-date schema is left
 * alone. The bookkeeping tables live inside `schema` too, so dropping the schema removes every trace.
 */
export async function migrateSchema(db: Kysely<unknown>, schema: string): Promise<MigrateResult> {
  // DDL racing other sessions' catalog changes can hit a deadlock or serialization failure: start over.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await migrateOnce(db, schema);
    } catch (error) {
      if (attempt >= 5 || !(isRetryableDriverError(error) || isConcurrentDrop(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

/**
 * Kysely's migrator looks for its bookkeeping tables by introspecting every table of the database: when
 * another session drops a schema or table meanwhile (parallel test files, other tenants' schemas), that
 * scan fails with "schema/relation ... does not exist" (3F000, 42P01) about an object that is not this
 * schema's. Worth another attempt: the next scan no longer sees the dropped object.
 */
function isConcurrentDrop(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '3F000' || code === '42P01';
}

async function migrateOnce(db: Kysely<unknown>, schema: string): Promise<MigrateResult> {
  const lockKey = `floxide:${schema}`;
  const result = await db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(hashtext(${lockKey}))`.execute(conn);
    try {
      await sql.raw(`create schema if not exists "${schema}"`).execute(conn);
      const migrator = new Migrator({
        db: conn,
        provider: new FloxideMigrationProvider(schema),
        migrationTableSchema: schema,
        migrationTableName: MIGRATION_TABLE,
        migrationLockTableName: MIGRATION_LOCK_TABLE,
      });
      return await migrator.migrateToLatest();
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${lockKey}))`.execute(conn);
    }
  });
  return { applied: appliedNames(result) };
}

function appliedNames(result: MigrationResultSet): string[] {
  // The caller translates driver errors (see errors.ts); rethrowing keeps the SQLSTATE available.
  if (result.error !== undefined) throw result.error;
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
