import { PostgresAdapter, PostgresDialect, type DialectAdapter, type Kysely } from 'kysely';

/**
 * Kysely's PostgreSQL adapter without its migration lock. Kysely takes a session-level advisory lock
 * (`pg_advisory_lock`) around migrations: behind a transaction-mode pooler (PgBouncer) the lock and its
 * unlock can run on two different server connections, leaving the lock held by a pooled connection and
 * every later migration waiting on it. {@link migrateSchema} runs the whole migration in one transaction
 * under a transaction-scoped lock of its own, so this adapter takes none.
 */
class PooledPostgresAdapter extends PostgresAdapter {
  /** No lock: the caller's transaction holds the schema's `pg_advisory_xact_lock` (see migrate.ts). */
  override acquireMigrationLock(): Promise<void> {
    return Promise.resolve();
  }

  /** Nothing to release: the caller's lock ends with its transaction. */
  override releaseMigrationLock(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The backend's Kysely dialect: Kysely's `PostgresDialect` with {@link PooledPostgresAdapter}, so no query
 * the backend sends leaves session state behind on a pooled connection.
 */
export class FloxidePostgresDialect extends PostgresDialect {
  override createAdapter(): DialectAdapter {
    return new PooledPostgresAdapter();
  }
}

/** True when `db` runs on {@link FloxidePostgresDialect} (its Migrator takes no session lock). */
export function takesNoMigrationLock(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PooledPostgresAdapter;
}
