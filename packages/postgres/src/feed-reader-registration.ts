import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Logger } from '@floxide/core';
import type { SchemaDb } from './schema-db.js';

/** How long a registration lasts unless refreshed: a process that died keeps commits notifying this long. */
export const FEED_READER_TTL_MS = 30_000;

/** Options of {@link FeedReaderRegistration}. */
export interface FeedReaderRegistrationOptions {
  readonly db: SchemaDb;
  readonly logger: Logger;
  /** Called when a refresh found the registration lapsed: notices may have been skipped, re-read. */
  readonly onLapse: () => void;
  /** Default {@link FEED_READER_TTL_MS}; refreshed every third of it. */
  readonly ttlMs?: number;
}

/**
 * This process's row in the schema's `feed_readers` table (migration `0025_feed_readers`): while it is
 * live, commits and claims send their feed notices; while no reader has one, they skip them (a transaction
 * and a wake-up of every LISTENing backend saved per step).
 *
 * @remarks
 * The change feed's LISTEN connection calls {@link register} before each LISTEN (first connect and every
 * reconnect) and reads from its position after it, so a commit that skipped its notice just before the
 * registration is found by that read (why, in the migration's header). The row is refreshed every third of
 * its lifetime; a refresh that finds it lapsed (the process was stalled, the database unreachable) calls
 * `onLapse` so waiting reads look again. {@link close} removes it.
 */
export class FeedReaderRegistration {
  readonly #options: FeedReaderRegistrationOptions;
  readonly #readerId = randomUUID();
  readonly #ttlMs: number;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: FeedReaderRegistrationOptions) {
    this.#options = options;
    this.#ttlMs = Math.max(1, Math.round(options.ttlMs ?? FEED_READER_TTL_MS));
  }

  /** Registers (or refreshes) the row and keeps it refreshed; throws when the database cannot be reached. */
  async register(): Promise<void> {
    if (this.#closed) return;
    await this.#call();
    this.#timer ??= setInterval(() => void this.#refresh(), Math.max(1, Math.floor(this.#ttlMs / 3)));
    // The refresh alone must not keep the process alive.
    this.#timer.unref();
  }

  /** Stops refreshing and removes the row (best effort: it lapses anyway). */
  async close(): Promise<void> {
    const registered = this.#timer !== undefined;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (!registered) return;
    const db = this.#options.db;
    await db
      .run('feed reader', (k) =>
        sql`select ${db.ref('unregister_feed_reader')}(${this.#readerId})`.execute(k),
      )
      .catch(() => undefined);
  }

  /** True when the row was live before this call. */
  async #call(): Promise<boolean> {
    const db = this.#options.db;
    const result = await db.run('feed reader', (k) =>
      sql<{
        live: boolean;
      }>`select ${db.ref('register_feed_reader')}(${this.#readerId}, ${this.#ttlMs}::bigint) as live`.execute(
        k,
      ),
    );
    return result.rows[0]?.live === true;
  }

  async #refresh(): Promise<void> {
    try {
      const live = await this.#call();
      if (!live && !this.#closed) this.#options.onLapse();
    } catch (error) {
      this.#options.logger.warn('postgres feed reader could not refresh its registration', {
        error: error instanceof Error ? error.name : typeof error,
      });
    }
  }
}
