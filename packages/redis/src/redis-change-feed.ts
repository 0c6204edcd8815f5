import type { ChangeFeed, FeedEvent, FeedPage, FeedReadOptions, RunEvent } from '@floxide/distributed';
import { deriveConnection, isCluster, type RedisClient } from './connection.js';
import { mergePage, parsePosition, type StreamEntry } from './feed-position.js';
import { parseJson } from './item-codec.js';
import { SHARDS } from './keys.js';
import type { RedisShared } from './redis-shared.js';

const DEFAULT_LIMIT = 1_000;

/** How often a long poll on a Cluster looks for new entries (ms): one blocking read cannot span slots. */
const CLUSTER_POLL_MS = 100;

/**
 * The Redis {@link ChangeFeed}: one stream per shard (`<shard>:feed`, keys.ts) that every per-run script of
 * the shard's runs appends to (`XADD` in the scripts' shared `event` function), so each stream holds exactly
 * the committed events of its runs in commit order.
 *
 * @remarks
 * A position is the last stream entry id read from each shard, joined by `,`; `''` reads from the oldest
 * retained entries. A page merges the shards by entry id: each run's events come in commit order (a run
 * lives in one shard); events of runs in different shards are ordered by their stream ids, which on a
 * Cluster come from different servers' clocks. Each stream is trimmed to about 100 000 entries. On a
 * single server a long poll is one `XREAD BLOCK` over the shards' streams on a connection of its own
 * (opened on first use, closed by the backend's `close`); an aborted long poll is ended with
 * `CLIENT UNBLOCK`, so the connection is free at once. On a Cluster (where one read cannot span slots) a
 * long poll reads every 100 ms until an event arrives or the wait ends. With persistence on (AOF/RDB),
 * positions survive a server restart: a reader resumes after its last ids and misses nothing.
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

  /** The ids of each shard's newest entry (`0-0` for an empty stream). */
  async head(): Promise<string> {
    const s = this.#shared;
    return s.guard('feed.head', async () => {
      const newest = await Promise.all(
        SHARDS.map(async (k) => {
          const last = (await s.client.xrevrange(s.keys.feed(k), '+', '-', 'COUNT', 1)) as StreamEntry[];
          return last[0]?.[0] ?? '0-0';
        }),
      );
      return newest.join(',');
    });
  }

  /** Entries after `after`; with `waitMs`, waits until one arrives (see the remarks). */
  async read(after: string, options: FeedReadOptions = {}): Promise<FeedPage> {
    const s = this.#shared;
    const limit = Math.max(1, Math.floor(options.limit ?? DEFAULT_LIMIT));
    const waitMs = Math.floor(options.waitMs ?? 0);
    const ids = parsePosition(after);
    return s.guard('feed.read', async () => {
      let perShard = await this.#range(ids, limit);
      if (perShard.every((e) => e.length === 0) && waitMs > 0 && !options.signal?.aborted && !this.#closed) {
        perShard = isCluster(s.client)
          ? await this.#poll(ids, limit, waitMs, options.signal)
          : await this.#blockingRead(ids, limit, waitMs, options.signal);
      }
      const page = mergePage(ids, perShard, limit);
      const events = page.entries.map(({ entry, position }) => toFeedEvent(entry, position));
      return { events, position: events.length > 0 ? page.position.join(',') : after };
    });
  }

  /** Up to `limit` entries of each shard after its id. */
  #range(ids: readonly string[], limit: number): Promise<StreamEntry[][]> {
    const s = this.#shared;
    return Promise.all(
      SHARDS.map(
        (k) =>
          s.client.xrange(s.keys.feed(k), `(${ids[k] as string}`, '+', 'COUNT', limit) as Promise<
            StreamEntry[]
          >,
      ),
    );
  }

  /** A Cluster's long poll: reads until an entry arrives, the wait ends, the signal aborts or close. */
  async #poll(
    ids: readonly string[],
    limit: number,
    waitMs: number,
    signal: AbortSignal | undefined,
  ): Promise<StreamEntry[][]> {
    const until = Date.now() + waitMs;
    for (;;) {
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(CLUSTER_POLL_MS, Math.max(0, until - Date.now()))),
      );
      const perShard = await this.#range(ids, limit);
      if (perShard.some((e) => e.length > 0) || Date.now() >= until || signal?.aborted || this.#closed) {
        return perShard;
      }
    }
  }

  /** Closes the long-poll connection (the backend's `close` calls this). */
  async close(): Promise<void> {
    this.#closed = true;
    const blocking = this.#blocking;
    this.#blocking = undefined;
    blocking?.disconnect();
  }

  async #blockingRead(
    ids: readonly string[],
    limit: number,
    waitMs: number,
    signal: AbortSignal | undefined,
  ): Promise<StreamEntry[][]> {
    const s = this.#shared;
    const blocking = this.#connection();
    const onAbort = (): void => {
      // A blocked XREAD cannot be cancelled from its own connection: unblock it from the main one.
      void this.#blockingId?.then((id) => s.client.client('UNBLOCK', id)).catch(() => undefined);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const keys = SHARDS.map((k) => s.keys.feed(k));
      const reply = (await blocking.xread('COUNT', limit, 'BLOCK', waitMs, 'STREAMS', ...keys, ...ids)) as
        [string, StreamEntry[]][] | null;
      const byKey = new Map(reply ?? []);
      return keys.map((key) => byKey.get(key) ?? []);
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

/** A feed event with the feed position right after it. */
function toFeedEvent([, fields]: StreamEntry, position: string): FeedEvent {
  const json = fields[fields.indexOf('e') + 1] ?? 'null';
  return { ...parseJson<RunEvent>(json, 'feed event'), position };
}
