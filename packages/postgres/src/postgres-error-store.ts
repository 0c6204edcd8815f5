import type { ErrorInfo } from '@floxide/core';
import type { ErrorStore, WorkflowErrorRecord } from '@floxide/distributed';
import type { SchemaDb } from './schema-db.js';

/** Error records in the append-only `errors` table (its `bigserial` id is the append order). */
export class PostgresErrorStore implements ErrorStore {
  readonly #db: SchemaDb;

  constructor(db: SchemaDb) {
    this.#db = db;
  }

  /** Appends a record (never deduplicated). */
  async record(error: WorkflowErrorRecord): Promise<void> {
    await this.#db.run('error record', (k) =>
      k
        .insertInto('errors')
        .values({
          run_id: error.runId,
          item_id: error.itemId,
          node: error.node,
          attempt: error.attempt,
          error: JSON.stringify(error.error),
          at: Math.round(error.at),
        })
        .execute(),
    );
  }

  /** The run's records in append order; empty for a missing run. */
  async list(runId: string): Promise<WorkflowErrorRecord[]> {
    const rows = await this.#db.run('error list', (k) =>
      k.selectFrom('errors').selectAll().where('run_id', '=', runId).orderBy('id').execute(),
    );
    return rows.map((row) => ({
      runId: row.run_id,
      itemId: row.item_id,
      node: row.node,
      attempt: row.attempt,
      error: row.error as ErrorInfo,
      at: Number(row.at),
    }));
  }
}
