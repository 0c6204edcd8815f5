import type { RunEvent, RunInfo } from './records.js';

/**
 * A run event as the change feed carries it: the stored {@link RunEvent} plus its place in the feed.
 *
 * @remarks `position` is opaque: compare positions only by feeding them back to {@link ChangeFeed.read}.
 */
export interface FeedEvent extends RunEvent {
  /** Where this event sits in the feed: reading after it yields the events committed after it. */
  readonly position: string;
}

/** One answer of {@link ChangeFeed.read}. */
export interface FeedPage {
  /** The events after the requested position, in feed order (at most `limit`). */
  readonly events: FeedEvent[];
  /**
   * The position to read after next time. Equals the last event's position, or the requested position
   * when nothing new arrived (a backend may move it forward past events it will never deliver).
   */
  readonly position: string;
  /**
   * `true` when events after the requested position were trimmed (by length or retention) before this
   * read: the reader lost them and should re-read the state it follows. Reported once: `position` has
   * moved past the trimmed events. Absent on backends that cannot tell, and for reads from `''`.
   */
  readonly gap?: boolean;
}

/** Options of {@link ChangeFeed.read}. */
export interface FeedReadOptions {
  /** At most this many events (default: the backend's page size, at least 100). */
  readonly limit?: number;
  /**
   * When nothing is newer than the position, wait up to this long for a new event before answering with
   * an empty page (a long poll). 0 or absent: answer at once.
   */
  readonly waitMs?: number;
  /** Ends a long poll early with an empty page (no error). */
  readonly signal?: AbortSignal;
}

/**
 * The backend's change feed: every run event it records, published in commit order, readable from a
 * position.
 *
 * @remarks
 * - **Atomicity.** An event enters the feed in the same atomic operation that records it (the commit, the
 *   control call, the run start): a reader never sees an event of a step that did not commit, and never
 *   misses one that did.
 * - **Ordering.** Events of one run appear in commit order (their `seq` order). Events of different runs
 *   appear in an order consistent with their commits, but a backend may interleave concurrent commits.
 * - **Exactly once per position.** Reading after position `p` yields every retained event committed after
 *   the event at `p`, each once; reading again after the returned `position` continues without a gap or a
 *   repeat. Positions survive a server restart as long as the server keeps its data.
 * - **Visibility.** An event may become readable a little after its commit (Postgres: once every older
 *   transaction on the server has ended); it is then delivered in its place, never skipped. A backend
 *   whose feed lags this way may offer early finished-run hints ({@link ChangeFeed.onRunsFinished}).
 * - **Missing positions.** `''` reads from the oldest retained event. A position older than what the
 *   backend retains (trimmed by length or retention) reads from the oldest retained event: a reader that
 *   falls that far behind loses the trimmed events and should re-read run state; a backend that can tell
 *   marks the first page after such a gap with `gap: true` (the orchestrator's waiters then re-read their
 *   runs).
 * - **Cost.** One `read` is one request to the server (two around a long poll on some backends); a long
 *   poll holds one connection. The orchestrator shares one reader per process between every `wait` and
 *   `watch` (see `FeedSubscription`), so the cost does not grow with the number of waiters.
 *
 * A third-party backend implements `head` and `read`; the conformance suite
 * (`describeBackendContract`) checks the guarantees above.
 *
 * @example
 * ```ts
 * let position = await backend.feed.head();
 * for (;;) {
 *   const page = await backend.feed.read(position, { waitMs: 1_000 });
 *   for (const event of page.events) console.log(event.runId, event.type);
 *   position = page.position;
 * }
 * ```
 */
export interface ChangeFeed {
  /** The position of the newest event committed so far: reading after it yields only later events. */
  head(): Promise<string>;
  /** Events after `after` in feed order; see the remarks for ordering, gaps and long polls. */
  read(after: string, options?: FeedReadOptions): Promise<FeedPage>;
  /**
   * Optional notice of finished runs: early, for backends whose ordered feed lags their commits (Postgres
   * reads only below the oldest running transaction), and with the run's final record where the backend
   * can send it (Postgres in the notification, Redis in the final feed entry, handed over by the read
   * that meets it). Calls `listener` with the ids of runs whose final status (completed, failed,
   * cancelled) has just been committed, as soon as the backend hears of it, often before
   * {@link ChangeFeed.read} can deliver the events. Returns a function that stops the calls.
   *
   * @remarks A hint is a shortcut, never the record: it is sent only after the commit (a run read after
   * it shows the final status), but it is unordered, may repeat and may be lost (the ordered feed still
   * delivers the event). `wait` uses it to read the run record early; `watch` ignores it.
   *
   * A backend may hand over, as `runs`, the committed final records of some of the named runs (exactly
   * what `runs.get` would answer right after the commit): `wait` then resolves from the record without
   * reading the run. A run named in `runIds` without a record in `runs` is read as before.
   */
  onRunsFinished?(listener: (runIds: readonly string[], runs?: readonly RunInfo[]) => void): () => void;
}
