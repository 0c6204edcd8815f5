import type { ContextStore, VersionedContext } from '@floxide/distributed';
import type { SchemaDb } from './schema-db.js';

/** Run contexts, kept on the `runs` row (`context`, `context_version`) and changed only by commits. */
export class PostgresContextStore implements ContextStore {
  readonly #db: SchemaDb;

  constructor(db: SchemaDb) {
    this.#db = db;
  }

  /** The context and its version, or `undefined` for a missing run. */
  async get(runId: string): Promise<VersionedContext | undefined> {
    const row = await this.#db.run('context read', (k) =>
      k.selectFrom('runs').select(['context', 'context_version']).where('run_id', '=', runId).executeTakeFirst(),
    );
    return row === undefined ? undefined : { state: row.context, version: row.context_version };
  }
}
