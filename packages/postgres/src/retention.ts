import { sql } from 'kysely';
import type { SchemaDb } from './schema-db.js';

/** Options of {@link deleteFinishedRuns}. */
export interface DeleteFinishedRunsOptions {
  /** Runs that finished (completed, failed or cancelled) more than this long ago are deleted. */
  readonly olderThanMs: number;
  /** Runs deleted per transaction (default 500): keeps each transaction and its locks short. */
  readonly batchSize?: number;
}

/**
 * Deletes finished runs older than `olderThanMs` with everything they own (items, joins, errors, events,
 * timings), in batches; returns how many runs were removed. Runs locked by a concurrent operation are
 * skipped this time and picked up by the next call.
 */
export async function deleteFinishedRuns(db: SchemaDb, options: DeleteFinishedRunsOptions): Promise<number> {
  const before = Date.now() - Math.max(0, options.olderThanMs);
  const batch = Math.max(1, Math.floor(options.batchSize ?? 500));
  let total = 0;
  for (;;) {
    const result = await db.run('retention', (k) =>
      sql<{ count: number }>`select ${db.ref('delete_finished_runs')}(${before}::bigint, ${batch}::integer) as count`.execute(k),
    );
    const count = Number(result.rows[0]?.count ?? 0);
    total += count;
    if (count < batch) return total;
  }
}
