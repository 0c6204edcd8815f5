import type {
  ChangeFeed,
  FeedEvent,
  FeedPage,
  FeedReadOptions,
  RunEvent,
  RunInfo,
} from '@floxide/distributed';
import { deriveConnection, isCluster, type RedisClient } from './connection.js';
import { laterId, mergePage, parsePosition, type StreamEntry } from './feed-position.js';
import { parseJson } from './item-codec.js';
import { SHARDS } from './keys.js';
import type { RedisShared } from './redis-shared.js';
import { flatToRecord, parseRunHash } from './run-hash.js';
import { FEED_READ_LUA } from './scripts/generated/feed-read.js';
import { LuaScript } from './scripts/lua-script.js';

const FEED_READ = new LuaScript(FEED_READ_LUA);

const DEFAULT_LIMIT = 1_000;

/** How often a long poll on a Cluster looks for new entries (ms): one blocking read cannot span slots. */
const CLUSTER_POLL_MS = 100;

type FinishedListener = (runIds: readonly string[], runs?: readonly RunInfo[]) => void;

/**
 * The Redis {@link ChangeFeed}: one stream per shard (`<shard>:feed`, keys.ts) that every per-run script of
 * the shard's runs appends to (`XADD` in the scripts' shared `event` function), so each stream holds exactly
 * the committed events of its runs in commit order.
 *
 * @remarks
 * A position is the last stream entry id read from each shard, joined by `,`; `''` reads from the oldest
 * retained entries. A page merges the shards by entry id: each run's events come in commit order (a run
 * lives in one shard); events of runs in different shards are ordered by their stream ids, which on a
 * Cluster come from different servers' clocks. Each stream is trimmed to about 100 000 entries, and by
 * the retention sweep to the longest retention time (see `RedisBackendOptions.retention`): a read whose
 * position was trimmed continues after the newest trimmed entry and says so (`gap`, Redis 7). On a
 * single server a long poll is one `XREAD BLOCK` over the shards' streams on a connection of its own
 * (opened on first use, closed by the backend's `close`); an aborted long poll is ended with
 * `CLIENT UNBLOCK`, so the connection is free at once; a long poll from a position the previous one found
 * nothing after is that `XREAD` alone (the shards are read once an entry arrives), so an idle reader costs
 * the server one command per wait. On a Cluster (where one read cannot span slots) a
 * long poll reads every 100 ms until an event arrives or the wait ends. With persistence on (AOF/RDB),
 * positions survive a server restart: a reader resumes after its last ids and misses nothing.
 *
 * A run's final `run.status` entry also carries the run's record (field `r`, when its fields total at most
 * 8 000 bytes): a read hands it to the {@link RedisChangeFeed.onRunsFinished} listeners before it answers,
 * so `wait` resolves without reading the run.
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
  readonly #finished = new Set<FinishedListener>();
  /**
   * A position after which the last long poll found nothing (its `XREAD BLOCK` timed out), with no gap: the
   * next long poll from it waits for an entry before reading the shards again.
   */
  #quietAt: string | undefined;

  constructor(shared: RedisShared) {
    this.#shared = shared;
  }

  /**
   * The ids of each shard's newest entry; for a stream emptied by trimming, its last generated id (so a
   * reader from here is not told of a gap for entries trimmed before it began); `0-0` for a missing one.
   */
  async head(): Promise<string> {
    const s = this.#shared;
    return s.guard('feed.head', async () => {
      const newest = await Promise.all(
        SHARDS.map(async (k) => {
          const key = s.keys.feed(k);
          const last = (await s.client.xrevrange(key, '+', '-', 'COUNT', 1)) as StreamEntry[];
          if (last[0]) return last[0][0];
          if ((await s.client.exists(key)) === 0) return '0-0';
          const info = (await s.client.xinfo('STREAM', key)) as unknown[];
          const at = info.indexOf('last-generated-id');
          const id = at >= 0 ? info[at + 1] : undefined;
          return typeof id === 'string' ? id : '0-0';
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
    const parsed = parsePosition(after);
    return s.guard('feed.read', async () => {
      const ids = [...parsed];
      const blocks = waitMs > 0 && !isCluster(s.client);
      if (blocks && this.#quietAt === after && !options.signal?.aborted && !this.#closed) {
        // Nothing was after this position when the last long poll ended: block first and read the shards
        // (one script each) only once an entry arrives, so an idle reader costs one XREAD per wait. That
        // read still reports a gap: a trim past the position is seen by the scripts whenever they run.
        const arrived = await this.#blockingRead(ids, 1, waitMs, options.signal);
        if (arrived.every((e) => e.length === 0)) return { events: [], position: after };
      }
      this.#quietAt = undefined;
      const first = await this.#range(ids, limit);
      let { entries: perShard, moved } = first;
      if (perShard.every((e) => e.length === 0) && waitMs > 0 && !options.signal?.aborted && !this.#closed) {
        if (isCluster(s.client)) {
          const polled = await this.#poll(ids, limit, waitMs, options.signal);
          perShard = polled.entries;
          moved ||= polled.moved;
        } else {
          perShard = await this.#blockingRead(ids, limit, waitMs, options.signal);
          if (!moved && perShard.every((e) => e.length === 0)) this.#quietAt = after;
        }
      }
      const page = mergePage(ids, perShard, limit);
      const events = page.entries.map(({ entry, position }) => toFeedEvent(entry, position));
      this.#handOverRecords(page.entries.map(({ entry }) => entry));
      const position = events.length > 0 || moved ? page.position.join(',') : after;
      // Entries trimmed after the position are lost to this reader: it continues after the newest trimmed
      // entry (so a gap is reported once) and, unless it asked for the oldest retained entries (''), hears
      // of the gap. Trimming removes the oldest entries only, so every entry still read is newer.
      return moved && after !== '' ? { events, position, gap: true } : { events, position };
    });
  }

  /**
   * Finished-run records: every read that meets a run's final entry hands the record it carries to
   * `listener`, before that read answers (so before its events are delivered). Entries whose record was
   * too large carry none: their event still arrives through the read.
   */
  onRunsFinished(listener: FinishedListener): () => void {
    this.#finished.add(listener);
    return () => {
      this.#finished.delete(listener);
    };
  }

  #handOverRecords(entries: readonly StreamEntry[]): void {
    if (this.#finished.size === 0) return;
    const runs: RunInfo[] = [];
    for (const [, fields] of entries) {
      const at = fields.indexOf('r');
      if (at < 0 || at % 2 !== 0) continue;
      const run = parseFinishedRecord(fields[at + 1] ?? '');
      if (run) runs.push(run);
    }
    if (runs.length === 0) return;
    const runIds = runs.map((run) => run.runId);
    for (const listener of [...this.#finished]) {
      try {
        listener(runIds, runs);
      } catch {
        // A hint is a shortcut: a listener that throws must not fail the read that carries the events.
      }
    }
  }

  /**
   * Up to `limit` entries of each shard after its id (one script per shard, `FEED_READ_LUA`). Where
   * trimming removed entries after a shard's id, moves that id (in `ids`) to the newest trimmed entry and
   * answers `moved: true`.
   */
  async #range(ids: string[], limit: number): Promise<{ entries: StreamEntry[][]; moved: boolean }> {
    const s = this.#shared;
    const replies = (await Promise.all(
      SHARDS.map((k) => FEED_READ.run(s.client, [s.keys.feed(k)], [ids[k] as string, limit])),
    )) as [string, StreamEntry[]][];
    let moved = false;
    for (const [k, [trimmed]] of replies.entries()) {
      if (trimmed !== '' && laterId(trimmed, ids[k] as string)) {
        ids[k] = trimmed;
        moved = true;
      }
    }
    return { entries: replies.map(([, entries]) => entries), moved };
  }

  /** A Cluster's long poll: reads until an entry arrives, the wait ends, the signal aborts or close. */
  async #poll(
    ids: string[],
    limit: number,
    waitMs: number,
    signal: AbortSignal | undefined,
  ): Promise<{ entries: StreamEntry[][]; moved: boolean }> {
    const until = Date.now() + waitMs;
    let moved = false;
    for (;;) {
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(CLUSTER_POLL_MS, Math.max(0, until - Date.now()))),
      );
      const read = await this.#range(ids, limit);
      moved ||= read.moved;
      const perShard = read.entries;
      if (perShard.some((e) => e.length > 0) || Date.now() >= until || signal?.aborted || this.#closed) {
        return { entries: perShard, moved };
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

/** The run record of a final feed entry's `r` field, or `undefined` when it is unreadable or not final. */
function parseFinishedRecord(json: string): RunInfo | undefined {
  try {
    const flat = JSON.parse(json) as unknown;
    if (!Array.isArray(flat) || !flat.every((value) => typeof value === 'string')) return undefined;
    const run = parseRunHash(flatToRecord(flat));
    const final = run?.status === 'completed' || run?.status === 'failed' || run?.status === 'cancelled';
    return final ? run : undefined;
  } catch {
    return undefined;
  }
}

/** A feed event with the feed position right after it. */
function toFeedEvent([, fields]: StreamEntry, position: string): FeedEvent {
  const json = fields[fields.indexOf('e') + 1] ?? 'null';
  return { ...parseJson<RunEvent>(json, 'feed event'), position };
}
