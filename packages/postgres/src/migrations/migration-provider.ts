import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { changeFeedSql, dropChangeFeedSql } from './change-feed-sql.js';
import { commitFunctionSql } from './commit-function-sql.js';
import { queueFunctionsSql } from './queue-functions-sql.js';
import { runFunctionsSql } from './run-functions-sql.js';
import { tablesSql } from './tables-sql.js';

/** Name of the Kysely migration bookkeeping table, created inside the backend's schema. */
export const MIGRATION_TABLE = 'floxide_migrations';
/** Name of Kysely's migration lock table, created inside the backend's schema. */
export const MIGRATION_LOCK_TABLE = 'floxide_migrations_lock';

/** Runs a script of several statements (the simple query protocol accepts them in one call). */
async function runScript(db: Kysely<unknown>, script: string): Promise<void> {
  await sql.raw(script).execute(db);
}

/** The migrations of one schema, in order. Names sort in the order they must run. */
export function floxideMigrations(schema: string): Record<string, Migration> {
  const s = `"${schema}"`;
  return {
    '0001_initial': {
      up: async (db) => {
        await runScript(db, tablesSql(schema));
        await runScript(db, runFunctionsSql(schema));
        await runScript(db, queueFunctionsSql(schema));
        await runScript(db, commitFunctionSql(schema));
      },
      down: async (db) => {
        await runScript(
          db,
          ['runs', 'work_items', 'join_arrivals', 'errors', 'events', 'node_timings', 'workers', 'waiters']
            .map((table) => `drop table if exists ${s}.${table} cascade;`)
            .join('\n'),
        );
      },
    },
    '0002_change_feed': {
      up: async (db) => {
        await runScript(db, changeFeedSql(schema));
      },
      down: async (db) => {
        await runScript(db, dropChangeFeedSql(schema));
      },
    },
  };
}

/**
 * Kysely {@link MigrationProvider} serving the Floxide migrations of one schema from code (no files to ship).
 *
 * @example
 * ```ts
 * const migrator = new Migrator({ db, provider: new FloxideMigrationProvider('floxide') });
 * ```
 */
export class FloxideMigrationProvider implements MigrationProvider {
  readonly #schema: string;

  constructor(schema: string) {
    this.#schema = schema;
  }

  /** The migrations by name. */
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(floxideMigrations(this.#schema));
  }
}
