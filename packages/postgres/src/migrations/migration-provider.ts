import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { SQL_MIGRATIONS } from './generated/sql-migrations.js';

/** Name of the Kysely migration bookkeeping table, created inside the backend's schema. */
export const MIGRATION_TABLE = 'floxide_migrations';
/** Name of Kysely's migration lock table, created inside the backend's schema. */
export const MIGRATION_LOCK_TABLE = 'floxide_migrations_lock';

/** Runs a script of several statements (the simple query protocol accepts them in one call). */
async function runScript(db: Kysely<unknown>, script: string): Promise<void> {
  await sql.raw(script).execute(db);
}

/** What stands for the schema name in the migrations' SQL (`src/migrations/*.sql`). */
const SCHEMA_PLACEHOLDER = '{{schema}}';

/** The SQL of a migration for one schema (a function replacement: a `$` in the name is not a pattern). */
function forSchema(text: string, schema: string): string {
  return text.replaceAll(SCHEMA_PLACEHOLDER, () => schema);
}

/**
 * The migrations of one schema, in order. Names sort in the order they must run.
 *
 * @remarks
 * A released migration never changes: later behaviour comes in a new migration that alters tables and
 * replaces functions (`create or replace`), so a schema created by any release upgrades in place. Each
 * migration is a file `src/migrations/<name>.sql` (and `<name>.down.sql`), compiled into this package
 * by the `codegen` target (see the package README). A migration written in TypeScript instead is added to
 * the object returned here, after the SQL ones, with {@link runScript}.
 */
export function floxideMigrations(schema: string): Record<string, Migration> {
  const migrations: Record<string, Migration> = {};
  for (const [name, { up, down }] of Object.entries(SQL_MIGRATIONS)) {
    migrations[name] = {
      up: (db) => runScript(db, forSchema(up, schema)),
      ...(down === undefined ? {} : { down: (db) => runScript(db, forSchema(down, schema)) }),
    };
  }
  return migrations;
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
