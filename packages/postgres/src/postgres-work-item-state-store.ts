import type { ErrorInfo } from '@floxide/core';
import type { WorkItemState, WorkItemStateStore } from '@floxide/distributed';
import type { WorkItemsTable } from './database.js';
import { parseWorkItemState } from './record-schemas.js';
import type { SchemaDb } from './schema-db.js';

type StateRow = Pick<WorkItemsTable, 'run_id' | 'item_id' | 'node' | 'status' | 'attempts' | 'last_error'>;

/** Work item states, read from the `work_items` rows the queue and commits maintain. */
export class PostgresWorkItemStateStore implements WorkItemStateStore {
  readonly #db: SchemaDb;

  constructor(db: SchemaDb) {
    this.#db = db;
  }

  /** One item's state, or `undefined`. */
  async get(runId: string, itemId: string): Promise<WorkItemState | undefined> {
    const row = await this.#db.run('item read', (k) =>
      k
        .selectFrom('work_items')
        .select(['run_id', 'item_id', 'node', 'status', 'attempts', 'last_error'])
        .where('run_id', '=', runId)
        .where('item_id', '=', itemId)
        .executeTakeFirst(),
    );
    return row === undefined ? undefined : toState(row);
  }

  /** The run's items in creation order. */
  async list(runId: string): Promise<WorkItemState[]> {
    const rows = await this.#db.run('item list', (k) =>
      k
        .selectFrom('work_items')
        .select(['run_id', 'item_id', 'node', 'status', 'attempts', 'last_error'])
        .where('run_id', '=', runId)
        .orderBy('seq')
        .execute(),
    );
    return rows.map(toState);
  }
}

function toState(row: StateRow): WorkItemState {
  const state = {
    itemId: row.item_id,
    runId: row.run_id,
    node: row.node,
    status: row.status,
    attempts: row.attempts,
  };
  return parseWorkItemState(
    row.last_error === null || row.last_error === undefined
      ? state
      : { ...state, lastError: row.last_error as ErrorInfo },
  );
}
