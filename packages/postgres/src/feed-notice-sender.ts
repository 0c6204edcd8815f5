import { sql } from 'kysely';
import type { Logger } from '@floxide/core';
import type { SchemaDb } from './schema-db.js';

/**
 * Sends the feed notifications a step commit collected (`feedNotices` of `commit_step_notify_after`, see
 * `migrations/0020_feed_notify_after_commit.sql`) once that commit has returned: a NOTIFY inside the step's
 * transaction would make the commit queue for PostgreSQL's NOTIFY lock behind every other notifying commit's
 * WAL flush.
 *
 * @remarks
 * The notices of every commit that returned in the same I/O turn leave together in one `feed_notify` call (a
 * transaction that writes nothing and commits without waiting for its flush). The commit does not wait for
 * them. A failed send only loses the notification, which feed readers already survive (they re-read from
 * their position), so it is logged, never thrown. {@link drain} waits for the sends under way.
 */
export class FeedNoticeSender {
  readonly #db: SchemaDb;
  readonly #logger: Logger;
  readonly #inFlight = new Set<Promise<void>>();
  #queued = new Set<string>();
  #scheduled = false;

  constructor(db: SchemaDb, logger: Logger) {
    this.#db = db;
    this.#logger = logger;
  }

  /** Queues a committed transaction's notices for the end of this I/O turn. */
  send(notices: readonly string[]): void {
    if (notices.length === 0) return;
    for (const notice of notices) this.#queued.add(notice);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#flush();
    });
  }

  /** Resolves once every notice queued so far has been sent (or failed). */
  async drain(): Promise<void> {
    if (this.#scheduled) this.#flush();
    await Promise.all([...this.#inFlight]);
  }

  #flush(): void {
    this.#scheduled = false;
    const notices = [...this.#queued];
    this.#queued = new Set();
    if (notices.length === 0) return;
    const db = this.#db;
    const sending = db
      .run('feed notify', (k) =>
        sql`select ${db.ref('feed_notify')}(${JSON.stringify(notices)}::jsonb)`.execute(k),
      )
      .then(
        () => undefined,
        (error: unknown) => {
          this.#logger.warn('postgres feed notification not sent; feed readers catch up from the table', {
            error: error instanceof Error ? error.name : typeof error,
          });
        },
      )
      .finally(() => {
        this.#inFlight.delete(sending);
      });
    this.#inFlight.add(sending);
  }
}
