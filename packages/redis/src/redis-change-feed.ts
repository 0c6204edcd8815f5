import type { ChangeFeed, FeedEvent, FeedPage, FeedReadOptions, RunEvent } from '@floxide/distributed';
import { deriveConnection, type RedisClient } from './connection.js';
import { parseJson } from './item-codec.js';
import type { RedisShared } from './redis-shared.js';

const DEFAULT_LIMIT = 1_000;

/** One stream entry as ioredis returns it: `[id, [field, value, ...]]`. */
type StreamEntry = [string, string[]];

/**
 * The Redis {@link ChangeFeed}: the `<prefix>:feed` stream every per-run script appends to (`XADD` in the
 * scripts' shared `event` function), so the stream holds exactly the committed events in commit order.
 *
 * @remarks
 * Positions are stream entry ids (`<ms>-<n>`); `''` reads from the oldest retained entry. The stream is
 * trimmed to about 100 000 entries. A long poll is one `XREAD BLOCK` on a connection of its own (opened on
 * first use, closed by the backend's `close`); an aborted long poll is ended with `CLIENT UNBLOCK`, so the
 * connection is free at once. With persistence on (AOF/RDB), positions survive a server restart: a reader
 * resumes after its last id and misses nothing. Not for Redis Cluster yet (see `RedisKeys`).
 *
 * @example
 * ```ts
 * const page = await backend.feed.read(await backend.feed.head(), { waitMs: 1_000 });
 * ```
 */
export class RedisChangeFeed implements ChangeFeed {
  readonly #shared: RedisShared;
  #blocking: RedisClient | undefined;
  #blockingId: Promise<number> | undefined;
  #closed = false;

  constructor(shared: RedisShared) {
    this.#shared = shared;
  }

  /** The id of the newest entry (`'0-0'` while the stream is empty). */
  async head(): Promise<string> {
    const s = this.#shared;
    return s.guard('feed.head', async () => {
      const newest = (await s.client.xrevrange(s.keys.feed, '+', '-', 'COUNT', 1)) as StreamEntry[];
      return newest[0]?.[0] ?? '0-0';
    });
  }

  /** Entries after `after`; with `waitMs`, one blocking `XREAD` that answers as soon as one arrives. */
  async read(after: string, options: FeedReadOptions = {}): Promise<FeedPage> {
    const s = this.#shared;
    const from = after === '' ? '0-0' : after;
    const limit = Math.max(1, Math.floor(options.limit ?? DEFAULT_LIMIT));
    const waitMs = Math.floor(options.waitMs ?? 0);
    return s.guard('feed.read', async () => {
      let entries: StreamEntry[];
      if (waitMs > 0 && !options.signal?.aborted && !this.#closed) {
        entries = await this.#blockingRead(from, limit, waitMs, options.signal);
      } else {
        entries = (await s.client.xrange(s.keys.feed, `(${from}`, '+', 'COUNT', limit)) as StreamEntry[];
      }
      const events = entries.map(toFeedEvent);
      const last = events[events.length - 1];
      return { events, position: last ? last.position : after };
    });
  }

  /** Closes the long-poll connection (the backend's `close` calls this). */
  async close(): Promise<void> {
    this.#closed = true;
    const blocking = this.#blocking;
    this.#blocking = undefined;
    blocking?.disconnect();
  }

  async #blockingRead(
    from: string,
    limit: number,
    waitMs: number,
    signal: AbortSignal | undefined,
  ): Promise<StreamEntry[]> {
    const s = this.#shared;
    const blocking = this.#connection();
    const onAbort = (): void => {
      // A blocked XREAD cannot be cancelled from its own connection: unblock it from the main one.
      void this.#blockingId?.then((id) => s.client.client('UNBLOCK', id)).catch(() => undefined);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const reply = (await blocking.xread('COUNT', limit, 'BLOCK', waitMs, 'STREAMS', s.keys.feed, from)) as
        [string, StreamEntry[]][] | null;
      return reply?.[0]?.[1] ?? [];
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  #connection(): RedisClient {
    if (!this.#blocking) {
      const blocking = deriveConnection(this.#shared.client, { maxRetriesPerRequest: 1 });
      // Errors surface through the failing XREAD as BackendError; the event itself is not an error path.
      blocking.on('error', () => undefined);
      this.#blocking = blocking;
      this.#blockingId = blocking.client('ID') as Promise<number>;
      this.#blockingId.catch(() => undefined);
    }
    return this.#blocking;
  }
}

function toFeedEvent([id, fields]: StreamEntry): FeedEvent {
  const json = fields[fields.indexOf('e') + 1] ?? 'null';
  return { ...parseJson<RunEvent>(json, 'feed event'), position: id };
}
