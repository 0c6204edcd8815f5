import pg from 'pg';

/**
 * The session setting that carries a step commit's feed notices past its COMMIT to the statement that
 * sends them (a session value set inside a transaction that commits outlives it; one that rolls back is
 * undone with it).
 */
const NOTICES_SETTING = 'floxide.feed_after';

/** Marks where the post-commit send begins in a {@link commitMessage} (tests split the message there). */
export const NOTICE_SEND_MARKER = '\n-- feed notices after the commit\n';

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
 * The send cannot fail the message (its errors are swallowed in the `do` block: a lost notification only
 * costs latency, feed readers re-read from their position), so an error of the message is always the
 * commit's own — after which the connection is in an aborted transaction and must be rolled back.
 * The payload travels as an escaped literal: the simple protocol has no parameters.
 */
export function commitMessage(schema: string, payload: string): string {
  const s = `"${schema}"`;
  return (
    'begin;\n' +
    `select set_config('${NOTICES_SETTING}', coalesce(r -> 'feedNotices', '[]')::text, false) as notices,\n` +
    `  r - 'feedNotices' as result\n` +
    `  from ${s}.commit_step_notify_after(${pg.escapeLiteral(payload)}::jsonb) r;\n` +
    'commit;' +
    NOTICE_SEND_MARKER +
    `do $$ begin\n` +
    `  begin\n` +
    `    perform ${s}.feed_notify(current_setting('${NOTICES_SETTING}')::jsonb);\n` +
    `  exception when others then null;\n` +
    `  end;\n` +
    `  perform set_config('${NOTICES_SETTING}', '', false);\n` +
    `end $$`
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
