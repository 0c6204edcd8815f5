import { NOTICES_SETTING, noticeSendSql } from '../notices-after-commit.js';
import { sqlLiteral } from './sql-literal.js';

/**
 * The SQL function a commit message calls: one step (`commit_step_notify_after`) or a batch of one run's
 * steps (`commit_steps`, `migrations/0023_commit_batches.sql`). Both answer a JSON object whose
 * `feedNotices` the message sends after its COMMIT.
 */
export type CommitFunction = 'commit_step_notify_after' | 'commit_steps';

/**
 * The whole step commit as ONE simple-protocol message: the `commit_step_notify_after` call in an explicit
 * transaction, its COMMIT, then — with no round trip back to the client in between — the send of the
 * feed notices the commit collected (`feed_notify`, an autocommit statement that writes nothing and does
 * not wait for its WAL flush; see `migrations/0020_feed_notify_after_commit.sql`).
 *
 * @remarks
 * Why one message: the notices must leave after the COMMIT (a NOTIFY inside the step's transaction makes
 * every commit queue for PostgreSQL's NOTIFY lock behind the others' WAL flushes), and sending them in a
 * second query from the client made each finished run's notice wait for the worker's event loop to take
 * the commit's answer, then for a pooled connection, then for one more round trip — under a busy worker
 * most of the final commit → `wait` delay. Here the server runs the send the moment the COMMIT is done.
 *
 * The send ({@link noticeSendSql}) does not fail in practice: the payloads are capped below PostgreSQL's
 * 8,000-byte limit by the triggers, and it is skipped while the notification queue is half full. So an
 * error of the message is the commit's own, after which the connection is in an aborted transaction and
 * must be rolled back. A plain statement, not a `do` block with an exception
 * handler: that compiled an anonymous block and opened a subtransaction on every commit, and could not
 * catch the queue-full error anyway (it comes at the commit, outside the block).
 * The payload travels as an escaped literal ({@link sqlLiteral}): the simple protocol has no parameters.
 */
export function commitMessage(
  schema: string,
  payload: string,
  fn: CommitFunction = 'commit_step_notify_after',
): string {
  const s = `"${schema}"`;
  return (
    'begin;\n' +
    `select set_config('${NOTICES_SETTING}', coalesce(r -> 'feedNotices', '[]')::text, false) as notices,\n` +
    `  r - 'feedNotices' as result\n` +
    `  from ${s}.${fn}(${sqlLiteral(payload)}::jsonb) r;\n` +
    'commit;' +
    noticeSendSql(schema)
  );
}

/** The `result` column of the message's commit statement, from the results pg returns for the message. */
export function commitMessageAnswer(results: unknown): unknown {
  const list: readonly unknown[] = Array.isArray(results) ? results : [results];
  for (const result of list) {
    const rows = (result as { rows?: readonly { result?: unknown }[] } | undefined)?.rows;
    const row = rows?.[0];
    if (row !== undefined && 'result' in row) return row.result;
  }
  return undefined;
}
