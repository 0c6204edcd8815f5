import { sql } from 'kysely';
import { BackendError } from '@floxide/core';
import type { CommitResult, StepCommit } from '@floxide/distributed';
import type { SchemaDb } from './schema-db.js';

/**
 * Records one step with a single call of the schema's `commit_step` function: one transaction, one round
 * trip, idempotent by `(itemId, attempt)` (see `migrations/commit-function-sql.ts` for the exact order of
 * checks and effects).
 */
export async function commitStep(db: SchemaDb, step: StepCommit): Promise<CommitResult> {
  const payload = JSON.stringify({
    item: step.lease.item,
    token: step.lease.token,
    at: Math.round(step.at),
    outcome: step.outcome,
    ...(step.context === undefined ? {} : { context: step.context }),
  });
  const result = await db.run('commit', (k) =>
    sql<{ result: CommitResult }>`select ${db.ref('commit_step')}(${payload}::jsonb) as result`.execute(k),
  );
  const row = result.rows[0];
  if (!row) throw new BackendError('PostgreSQL commit returned no result');
  return row.result;
}
