import type { FeedGate } from '../feed-gate.js';
import type { PgPoolLike } from '../pg-pool-like.js';
import { runNoticeMessage } from '../run-notice-message.js';
import type { SchemaDb } from '../schema-db.js';
import { commitMessage, commitMessageAnswer, type CommitFunction } from './commit-message.js';

/**
 * Sends one {@link commitMessage} on a pooled connection and returns its commit statement's `result`
 * (`fn`: the function it calls, one step by default). Errors are translated as `commit`; a failed message
 * is rolled back before its connection returns to the pool (see {@link runNoticeMessage}). With a `gate`,
 * the message has the post-commit send only while the gate says a feed reader is registered, and the
 * gate learns from the answer; without one, it always has it.
 */
export async function runCommitMessage(
  db: SchemaDb,
  pool: PgPoolLike,
  payload: string,
  fn?: CommitFunction,
  gate?: FeedGate,
): Promise<unknown> {
  const message = commitMessage(db.schema, payload, fn, gate?.sendAfterCommit ?? true);
  const results = await runNoticeMessage(db, pool, 'commit', message);
  gate?.learn(results);
  return commitMessageAnswer(results);
}
