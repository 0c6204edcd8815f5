import { sql, type Kysely } from 'kysely';
import { BackendError } from '@floxide/core';
import { isRetryableDriverError } from './errors.js';
import { floxideMigrations, MIGRATION_LOCK_TABLE, MIGRATION_TABLE } from './migrations/migration-provider.js';

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
 * one older releases took as a session lock, so they and this one still exclude each other. The applied
 * migrations are recorded in the bookkeeping tables Kysely's `Migrator` uses (same names and columns), so
 * schemas created by earlier releases upgrade in place. Unlike Kysely's `Migrator`, this reads no catalog
 * of other schemas (its introspection fails when another session drops a schema meanwhile). Idempotent:
 * an up-to-date schema is left alone. The bookkeeping tables live inside `schema` too, so dropping the
 * schema removes every trace.
 */
export async function migrateSchema(db: Kysely<unknown>, schema: string): Promise<MigrateResult> {
  // DDL racing other sessions' catalog changes can hit a deadlock or serialization failure: start over.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return { applied: await migrateOnce(db, schema) };
    } catch (error) {
      if (attempt >= 5 || !(isRetryableDriverError(error) || isConcurrentDrop(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

/**
 * A migration racing another session's drop of a schema or table (parallel test files, other tenants'
 * schemas) can fail with "schema/relation ... does not exist" (3F000, 42P01) about an object that is not
 * this schema's (Kysely's Migrator, which earlier releases ran, introspected every table of the database).
 * Worth another attempt: the next one no longer sees the dropped object.
 */
function isConcurrentDrop(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '3F000' || code === '42P01';
}

function migrateOnce(db: Kysely<unknown>, schema: string): Promise<string[]> {
  return db.connection().execute(async (conn) => {
    await sql`begin`.execute(conn);
    try {
      const applied = await migrateInTransaction(conn, schema);
      await sql`commit`.execute(conn);
      return applied;
    } catch (error) {
      // A broken connection cannot roll back; the server aborts its transaction by itself then.
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw error;
    }
  });
}

/** The body of the migration transaction; returns the names of the migrations it applied. */
async function migrateInTransaction(conn: Kysely<unknown>, schema: string): Promise<string[]> {
  const s = `"${schema}"`;
  await sql`select pg_advisory_xact_lock(hashtext(${`floxide:${schema}`}))`.execute(conn);
  // Kysely's Migrator layout: older releases (which ran it) read and write these same tables.
  await sql
    .raw(
      `create schema if not exists ${s};
       create table if not exists ${s}.${MIGRATION_TABLE}
         (name varchar(255) not null primary key, timestamp varchar(255) not null);
       create table if not exists ${s}.${MIGRATION_LOCK_TABLE}
         (id varchar(255) not null primary key, is_locked integer not null default 0);
       insert into ${s}.${MIGRATION_LOCK_TABLE} (id, is_locked) values ('migration_lock', 0)
         on conflict (id) do nothing;`,
    )
    .execute(conn);
  const done = await sql<{ name: string }>`select name from ${sql.raw(`${s}.${MIGRATION_TABLE}`)}`.execute(
    conn,
  );
  const executed = new Set(done.rows.map((row) => row.name));
  const migrations = floxideMigrations(schema);
  const names = Object.keys(migrations).sort();
  const unknown = [...executed].filter((name) => !(name in migrations));
  if (unknown.length > 0) {
    throw new BackendError(
      `Schema "${schema}" was migrated by a newer release (unknown migrations: ${unknown.join(', ')}); upgrade @floxide/postgres`,
    );
  }
  // As Kysely's Migrator: the applied migrations are the first ones, in order (never one skipped).
  const skipped = names.slice(0, executed.size).filter((name) => !executed.has(name));
  if (skipped.length > 0) {
    throw new BackendError(
      `Schema "${schema}" has later migrations applied but not ${skipped.join(', ')}: migrate it with the release that created it first`,
    );
  }
  const applied: string[] = [];
  for (const name of names) {
    if (executed.has(name)) continue;
    await migrations[name]?.up(conn);
    await sql`insert into ${sql.raw(`${s}.${MIGRATION_TABLE}`)} (name, timestamp) values (${name}, ${new Date().toISOString()})`.execute(
      conn,
    );
    applied.push(name);
  }
  return applied;
}
