import type { PgPoolLike } from '../pg-pool-like.js';
import { runNoticeMessage } from '../run-notice-message.js';
import type { SchemaDb } from '../schema-db.js';
import { commitMessage, commitMessageAnswer, type CommitFunction } from './commit-message.js';

/**
 * Sends one {@link commitMessage} on a pooled connection and returns its commit statement's `result`
 * (`fn`: the function it calls, one step by default). Errors are translated as `commit`; a failed message
 * is rolled back before its connection returns to the pool (see {@link runNoticeMessage}).
 */
export async function runCommitMessage(
  db: SchemaDb,
  pool: PgPoolLike,
  payload: string,
  fn?: CommitFunction,
): Promise<unknown> {
  const results = await runNoticeMessage(db, pool, 'commit', commitMessage(db.schema, payload, fn));
  return commitMessageAnswer(results);
}
