import type { ContextStore, VersionedContext } from '@floxide/distributed';
import { parseContext } from './record-schemas.js';
import type { SchemaDb } from './schema-db.js';

/** Run contexts, kept on the `runs` row (`context`, `context_version`) and changed only by commits. */
export class PostgresContextStore implements ContextStore {
  readonly #db: SchemaDb;

  constructor(db: SchemaDb) {
    this.#db = db;
  }

  /**
   * The context and its version, or `undefined` for a missing run.
   *
   * @remarks
   * Throws `CorruptRecordError` when the stored context is not an object (or is `null` for a run started
   * with a context): coercing it would silently lose the run's state.
   */
  async get(runId: string): Promise<VersionedContext | undefined> {
    const row = await this.#db.run('context read', (k) =>
      k
        .selectFrom('runs')
        .select(['context', 'context_version', 'has_context'])
        .where('run_id', '=', runId)
        .executeTakeFirst(),
    );
    return row === undefined
      ? undefined
      : parseContext(row.context, row.context_version, row.has_context, runId);
  }
}
