import { sql } from 'kysely';
import type {
  ChangeFeed,
  FeedEvent,
  FeedPage,
  FeedReadOptions,
  RunEvent,
  RunInfo,
} from '@floxide/distributed';
import type { NotifyListener } from './notify.js';
import { parseRunInfo } from './record-schemas.js';
import type { SchemaDb } from './schema-db.js';

const DEFAULT_LIMIT = 1_000;
/** While committed rows wait behind an older running transaction, look again this often. */
const HORIZON_RETRY_MS = 2;

/** Options of {@link PostgresChangeFeed}. */
export interface PostgresChangeFeedOptions {
  readonly db: SchemaDb;
  /** LISTENs on the schema's feed channel (its own connection, opened by the first long poll). */
  readonly listener: NotifyListener;
  /** A waiting read looks again this often while the listener is not up (down, or disabled). Default 1 s. */
  readonly pollMs?: number;
}

interface FeedRow {
  readonly tx: string;
  /** Null for a row that is not final yet. */
  readonly event: RunEvent | null;
  readonly final: boolean;
}

/**
 * The PostgreSQL {@link ChangeFeed}: the `events` table read in `(tx, run_id, seq)` order below the oldest
 * running transaction, woken by the trigger's NOTIFY.
 *
 * @remarks
 * The table is the source of truth; a notification only says "look now". A lost notification (the
 * LISTEN connection dropped, the server restarted) delays a long poll to its timeout, after which the
 * read continues from its position and finds every committed row. While no LISTEN connection is up (it
 * is down, or there is none behind a transaction-mode pooler) a waiting read polls every `pollMs`. Positions are `<tx>:<runId>:<seq>`
 * and stay valid across server restarts. A row becomes readable once every transaction older than the one that
 * wrote it has ended (see `changeFeedSql`): a long write transaction elsewhere on the same server delays
 * the feed, never loses from it. Rows leave the feed with their run (run retention).
 *
 * Limit: the feed orders transactions by id, which is the order they first wrote, not always the order
 * they committed. Two transactions writing events of the same run commit one after the other (the run's
 * row lock), and nearly always in id order too; a claim that picked its items before waiting for a
 * concurrent commit of the same run can reach the feed before that commit. Its events still carry their
 * `seq`, and `watch(runId)` re-reads the run's history when `seq` jumps, so watchers see commit order.
 *
 * @example
 * ```ts
 * const page = await backend.feed.read(await backend.feed.head(), { waitMs: 1_000 });
 * ```
 */
export class PostgresChangeFeed implements ChangeFeed {
  readonly #db: SchemaDb;
  readonly #listener: NotifyListener;
  readonly #pollMs: number;

  constructor(options: PostgresChangeFeedOptions) {
    this.#db = options.db;
    this.#listener = options.listener;
    this.#pollMs = options.pollMs ?? 1_000;
  }

  /** The oldest running transaction: every row written before it is behind this position. */
  async head(): Promise<string> {
    const result = await this.#db.run('feed head', (k) =>
      sql<{ xmin: string }>`select pg_snapshot_xmin(pg_current_snapshot())::text as xmin`.execute(k),
    );
    return `${result.rows[0]?.xmin ?? '0'}::0`;
  }

  /**
   * Early finished-run hints: the feed trigger names, in its notification, the runs whose final status
   * the notifying statement wrote (migration `0006_feed_latency`), and a trigger on `runs` sends each
   * finished run's record (migration `0014_finished_run_records`), handed over as `runs`. PostgreSQL
   * delivers a notification only once its transaction has committed, so a hinted run reads as finished —
   * while the ordered feed may still hold the event back behind an older running transaction. Starts the
   * LISTEN connection.
   *
   * @remarks One commit's notifications arrive together, the ids before the record: ids are held until the
   * end of the current I/O turn and those whose record came meanwhile are dropped, so a run is not read
   * for nothing. A record is handed over at once.
   */
  onRunsFinished(listener: (runIds: readonly string[], runs?: readonly RunInfo[]) => void): () => void {
    let pending = new Set<string>();
    let recorded = new Set<string>();
    let scheduled = false;
    let stopped = false;
    const flush = (): void => {
      scheduled = false;
      const runIds = [...pending].filter((runId) => !recorded.has(runId));
      pending = new Set();
      recorded = new Set();
      if (!stopped && runIds.length > 0) listener(runIds);
    };
    const schedule = (): void => {
      if (scheduled) return;
      scheduled = true;
      setImmediate(flush);
    };
    const stop = this.#listener.onPayload((payload) => {
      const run = parseFinishedRecord(payload);
      if (run) {
        recorded.add(run.runId);
        schedule();
        listener([run.runId], [run]);
        return;
      }
      const runIds = parseFinishedPayload(payload);
      if (runIds.length === 0) return;
      for (const runId of runIds) pending.add(runId);
      schedule();
    });
    void this.#listener.start();
    return () => {
      stopped = true;
      stop();
    };
  }

  /** Rows after `after`; with `waitMs`, waits for the feed's notification (or the timeout) once. */
  async read(after: string, options: FeedReadOptions = {}): Promise<FeedPage> {
    const limit = Math.max(1, Math.floor(options.limit ?? DEFAULT_LIMIT));
    const waitMs = options.waitMs ?? 0;
    const { signal } = options;
    const until = Date.now() + Math.max(0, waitMs);
    if (waitMs > 0) await this.#listener.start();
    for (;;) {
      const generation = this.#listener.generation;
      const { page, pending } = await this.#query(after, limit);
      if (page.events.length > 0 || waitMs <= 0 || signal?.aborted || Date.now() >= until) return page;
      if (pending) {
        // Committed rows wait for an older transaction to end: it ends within milliseconds on a busy
        // system, and its own commit may not notify, so look again soon rather than at the timeout.
        await this.#listener.wait(Math.min(until, Date.now() + HORIZON_RETRY_MS), signal);
      } else if (this.#listener.generation === generation) {
        // Nothing new since the query (a notification in between would have moved the generation). No
        // notification can come while the listener is not up: poll.
        const wakeAt = this.#listener.listening ? until : Math.min(until, Date.now() + this.#pollMs);
        await this.#listener.wait(wakeAt, signal);
      }
    }
  }

  async #query(after: string, limit: number): Promise<{ page: FeedPage; pending: boolean }> {
    const db = this.#db;
    const [tx, runId, seq] = parsePosition(after);
    const result = await db.run('feed read', (k) =>
      // Rows at or above the horizon only say that more is coming: their events are not built (a busy feed
      // has a few dozen such rows on every read).
      sql<FeedRow>`with h as materialized (select pg_snapshot_xmin(pg_current_snapshot()) as xmin)
        select e.tx::text as tx, case when e.tx < h.xmin then ${db.ref('event_json')}(e) end as event,
          e.tx < h.xmin as final
        from ${db.ref('events')} e, h
        where (e.tx, e.run_id, e.seq) > (${tx}::xid8, ${runId}::text collate "C", ${seq}::bigint)
        order by e.tx, e.run_id, e.seq limit ${limit}`.execute(k),
    );
    const events: FeedEvent[] = [];
    // Rows come in (tx, run_id, seq) order, so the final ones (below the horizon) are a prefix.
    for (const row of result.rows) {
      if (!row.final || row.event === null) break;
      events.push({ ...row.event, position: `${row.tx}:${row.event.runId}:${row.event.seq}` });
    }
    const last = events[events.length - 1];
    return {
      page: { events, position: last ? last.position : after },
      pending: events.length < result.rows.length,
    };
  }
}

/**
 * The run ids of a feed notification's payload (a JSON array of strings, see `feedLatencySql`); anything
 * else (the empty payload of an ordinary statement, a payload from an older trigger) names no run.
 */
export function parseFinishedPayload(payload: string): string[] {
  if (!payload.startsWith('[')) return [];
  try {
    const value: unknown = JSON.parse(payload);
    return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * The run record of a finished-run notification (`{"run": {...}}`, see `finishedRunRecordsSql`), or
 * `undefined` for any other payload or a record of an impossible shape (the run is then read instead).
 */
export function parseFinishedRecord(payload: string): RunInfo | undefined {
  if (!payload.startsWith('{"run"')) return undefined;
  try {
    const value = JSON.parse(payload) as { run?: { runId?: unknown } };
    const runId = value.run?.runId;
    if (typeof runId !== 'string') return undefined;
    const run = parseRunInfo(value.run, runId);
    return isFinalStatus(run.status) ? run : undefined;
  } catch {
    return undefined;
  }
}

function isFinalStatus(status: string): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

/** `'<tx>:<runId>:<seq>'` → its parts (the run id may contain ':'); anything else reads from the start. */
function parsePosition(position: string): [string, string, string] {
  const match = /^(\d{1,20}):(.*):(\d{1,19})$/s.exec(position);
  return match ? [match[1] as string, match[2] as string, match[3] as string] : ['0', '', '0'];
}
