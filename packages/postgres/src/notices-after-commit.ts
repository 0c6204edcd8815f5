/**
 * The session setting that carries a transaction's feed notices past its COMMIT to the statement that
 * sends them (a session value set inside a transaction that commits outlives it; one that rolls back is
 * undone with it).
 */
export const NOTICES_SETTING = 'floxide.feed_after';

/**
 * The transaction-local settings of `feed_notice` (`migrations/0020_feed_notify_after_commit.sql`): while
 * {@link DEFER_SETTING} is `on`, the feed triggers collect their payloads in {@link COLLECTED_SETTING} (a
 * JSON array) instead of notifying from the transaction.
 */
export const DEFER_SETTING = 'floxide.feed_defer';
/** See {@link DEFER_SETTING}. */
export const COLLECTED_SETTING = 'floxide.feed_notices';

/** Marks where the post-commit send begins in a notice-deferring message (tests split messages there). */
export const NOTICE_SEND_MARKER = '\n-- feed notices after the commit\n';

/**
 * The tail of a message whose transaction left its feed notices in {@link NOTICES_SETTING} (a JSON array of
 * payloads) and has just committed: the send (`feed_notify`, an autocommit statement that writes nothing
 * and does not wait for its WAL flush; see `migrations/0020_feed_notify_after_commit.sql`), then the reset
 * of the setting. Starts with {@link NOTICE_SEND_MARKER}.
 *
 * @remarks
 * Why after the COMMIT: PostgreSQL takes a lock shared by every database of the server before the commit
 * record of a transaction that sent a NOTIFY and holds it through the WAL flush, so one such transaction
 * makes every other notifying one wait for its flush. Skipped while the notification queue is half full: a
 * NOTIFY fails at its commit when the queue is full (a listener stuck for long), and that error would fail
 * the message after its transaction had committed. A skipped notice only costs latency: feed readers
 * re-read from their position.
 */
export function noticeSendSql(schema: string): string {
  return (
    NOTICE_SEND_MARKER +
    `select "${schema}".feed_notify(current_setting('${NOTICES_SETTING}')::jsonb)\n` +
    `  where pg_notification_queue_usage() < 0.5;\n` +
    `select set_config('${NOTICES_SETTING}', '', false)`
  );
}
