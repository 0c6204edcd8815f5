import { sql } from 'kysely';
import type { Retention } from '@floxide/distributed';
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
 * timings), in batches; returns how many runs were removed.
 *
 * @remarks
 * Age is measured on the database clock against `finished_at`, which the SQL functions also stamp with the
 * database clock, so a caller with a skewed clock deletes neither too much nor too little. Runs locked by a
 * concurrent operation are skipped this time and picked up by the next call.
 */
export async function deleteFinishedRuns(db: SchemaDb, options: DeleteFinishedRunsOptions): Promise<number> {
  const age = Math.max(0, Math.round(options.olderThanMs));
  const batch = Math.max(1, Math.floor(options.batchSize ?? 500));
  let total = 0;
  for (;;) {
    const result = await db.run('retention', (k) =>
      sql<{
        count: number;
      }>`select ${db.ref('delete_old_runs')}(${age}::bigint, ${batch}::integer) as count`.execute(k),
    );
    const count = Number(result.rows[0]?.count ?? 0);
    total += count;
    if (count < batch) return total;
  }
}

/**
 * Deletes every finished run whose retention time passed (database clock), rule by rule of the policy
 * (see `Retention.rules`), in transactions of at most `batchSize` runs; returns how many runs were removed.
 *
 * @remarks Each batch is one short `delete_expired_runs` transaction (migration 0011): it never holds a lock
 * a commit of a live run needs, and a run locked by a concurrent operation waits for the next call.
 */
export async function deleteExpiredRuns(
  db: SchemaDb,
  retention: Retention,
  batchSize = 500,
): Promise<number> {
  const batch = Math.max(1, Math.floor(batchSize));
  let total = 0;
  for (const rule of retention.rules()) {
    const age = Math.max(0, Math.round(rule.ageMs));
    for (;;) {
      const result = await db.run('retention', (k) =>
        sql<{
          count: number;
        }>`select ${db.ref('delete_expired_runs')}(${rule.status}, ${age}::bigint, ${rule.workflow ?? null}::text, ${[...rule.skip]}::text[], ${batch}::integer) as count`.execute(
          k,
        ),
      );
      const count = Number(result.rows[0]?.count ?? 0);
      total += count;
      if (count < batch) break;
    }
  }
  return total;
}
