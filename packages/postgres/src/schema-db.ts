import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { FloxideDatabase } from './database.js';
import { translatePgError } from './errors.js';
import { migrateSchema, type MigrateResult } from './migrate.js';

/** Options of {@link SchemaDb}. */
export interface SchemaDbOptions {
  /** Kysely over the caller's or the backend's pool (no schema plugin: {@link SchemaDb} adds it). */
  readonly db: Kysely<unknown>;
  readonly schema: string;
  /** Run the migrations before the first query (default true). */
  readonly autoMigrate: boolean;
}

/**
 * One Floxide schema on one pool: typed queries, calls of the schema's SQL functions, migrations on first
 * use, and driver errors translated at this single boundary.
 */
export class SchemaDb {
  /** Kysely bound to the schema (`db.selectFrom('runs')` reads `<schema>.runs`). */
  readonly db: Kysely<FloxideDatabase>;
  readonly schema: string;
  readonly #root: Kysely<unknown>;
  readonly #autoMigrate: boolean;
  #ready: Promise<unknown> | undefined;

  constructor(options: SchemaDbOptions) {
    this.#root = options.db;
    this.schema = options.schema;
    this.#autoMigrate = options.autoMigrate;
    this.db = (options.db as Kysely<FloxideDatabase>).withSchema(options.schema);
  }

  /** Applies pending migrations now (idempotent); later calls of {@link run} no longer wait for them. */
  async migrate(): Promise<MigrateResult> {
    try {
      const result = await migrateSchema(this.#root, this.schema);
      this.#ready = Promise.resolve();
      return result;
    } catch (error) {
      throw translatePgError(error, 'migration');
    }
  }

  /** `"<schema>".<name>`: a schema-qualified SQL function or table name for raw queries. */
  ref(name: string): RawBuilder<unknown> {
    return sql.raw(`"${this.schema}".${name}`);
  }

  /**
   * Runs `fn` once the schema is migrated (when auto-migration is on); any error it throws leaves as a
   * {@link BackendError} naming `operation`.
   */
  async run<TResult>(
    operation: string,
    fn: (db: Kysely<FloxideDatabase>) => Promise<TResult>,
  ): Promise<TResult> {
    try {
      await this.#ensureReady();
      return await fn(this.db);
    } catch (error) {
      throw translatePgError(error, operation);
    }
  }

  async #ensureReady(): Promise<void> {
    if (!this.#autoMigrate) return;
    // A failed attempt (server down) is forgotten, so the next call tries again.
    this.#ready ??= migrateSchema(this.#root, this.schema).catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    await this.#ready;
  }
}
