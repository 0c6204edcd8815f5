import type { ChangeFeed, FeedEvent } from '../contracts/change-feed.js';
import type { RunInfo } from '../contracts/records.js';
import { Backoff, sleep } from '../worker/sleep.js';

/** A receiver of feed events registered with {@link FeedSubscription.subscribe}. */
export interface FeedListener {
  /** Only this run's events; absent: every event. */
  readonly runId?: string;
  /** Called synchronously for each event, in feed order. Must not throw. */
  readonly onEvent: (event: FeedEvent) => void;
  /**
   * Called when the backend hints that this listener's run has just committed a final status
   * ({@link ChangeFeed.onRunsFinished}), possibly before its events arrive through `onEvent`. Unordered,
   * may repeat or never come: the final event still follows through `onEvent`. `run` is the committed
   * final record when the backend sent it with the hint (read the run yourself when it is absent). Only
   * for `runId` listeners. Must not throw.
   */
  readonly onFinishedHint?: (run?: RunInfo) => void;
  /**
   * Called when the feed reports that events were trimmed before the reader got them
   * (`gap` on a page of {@link ChangeFeed.read}): some of this listener's events may be lost for good, so re-read the state it
   * follows. Called before the events of the page that reported it. Must not throw.
   */
  readonly onGap?: () => void;
}

/** A registration returned by {@link FeedSubscription.subscribe}. */
export interface FeedRegistration {
  /**
   * Resolves once the shared reader holds a position: every event committed after this point reaches the
   * listener. Read state you need *after* it resolves, so nothing falls between the read and the feed.
   */
  readonly ready: Promise<void>;
  /** Stops delivery to this listener (idempotent); the reader stops when no listener is left. */
  close(): void;
}

/** Options of {@link FeedSubscription}. */
export interface FeedSubscriptionOptions {
  /** How long one long poll waits for news before asking again (the fallback poll). Default 1 500 ms. */
  readonly pollMs?: number;
  /** Events per read. Default 1 000. */
  readonly limit?: number;
}

const subscriptions = new WeakMap<ChangeFeed, FeedSubscription>();

/**
 * One reader of a {@link ChangeFeed} shared by every `wait` and `watch` of a process.
 *
 * @remarks
 * The reader runs only while someone listens. It long-polls the feed (`read` with `waitMs`), so an idle
 * process costs the server one request per {@link FeedSubscriptionOptions.pollMs} (two on backends whose
 * long poll re-reads), whatever the number of listeners. The long poll's timeout is the fallback poll: a
 * lost notification delays an event by at most that long, never loses it, because every read continues
 * from the last position. A failed read is retried from the same position with backoff (100 ms → 2 s).
 * While it runs it also takes the feed's early finished-run hints ({@link ChangeFeed.onRunsFinished}) when
 * the backend has them, and passes them to the listeners of those runs.
 *
 * @example
 * ```ts
 * const sub = FeedSubscription.of(backend.feed);
 * const reg = sub.subscribe({ runId, onEvent: (e) => console.log(e.type) });
 * await reg.ready;
 * reg.close();
 * ```
 */
export class FeedSubscription {
  readonly #feed: ChangeFeed;
  readonly #pollMs: number;
  readonly #limit: number;
  readonly #byRun = new Map<string, Set<FeedListener>>();
  readonly #all = new Set<FeedListener>();
  #count = 0;
  #running = false;
  #abort = new AbortController();
  #readyResolvers: (() => void)[] = [];
  #hasPosition = false;

  constructor(feed: ChangeFeed, options: FeedSubscriptionOptions = {}) {
    this.#feed = feed;
    this.#pollMs = options.pollMs ?? 1_500;
    this.#limit = options.limit ?? 1_000;
  }

  /** The process-wide subscription of `feed` (created on first use; one per backend instance). */
  static of(feed: ChangeFeed): FeedSubscription {
    let sub = subscriptions.get(feed);
    if (!sub) {
      sub = new FeedSubscription(feed);
      subscriptions.set(feed, sub);
    }
    return sub;
  }

  /** Number of registered listeners (for tests and diagnostics). */
  get listeners(): number {
    return this.#count;
  }

  /** Registers a listener and starts the shared reader if it is not running. */
  subscribe(listener: FeedListener): FeedRegistration {
    const set = listener.runId === undefined ? this.#all : this.#setOf(listener.runId);
    set.add(listener);
    this.#count += 1;
    const ready = this.#hasPosition
      ? Promise.resolve()
      : new Promise<void>((resolve) => this.#readyResolvers.push(resolve));
    if (!this.#running) this.#start();
    let closed = false;
    return {
      ready,
      close: () => {
        if (closed) return;
        closed = true;
        set.delete(listener);
        if (listener.runId !== undefined && set.size === 0) this.#byRun.delete(listener.runId);
        this.#count -= 1;
        // The last listener ends the long poll at once, so no timer or connection is left waiting.
        if (this.#count === 0) this.#abort.abort();
      },
    };
  }

  #setOf(runId: string): Set<FeedListener> {
    let set = this.#byRun.get(runId);
    if (!set) {
      set = new Set();
      this.#byRun.set(runId, set);
    }
    return set;
  }

  #start(): void {
    this.#running = true;
    this.#abort = new AbortController();
    void this.#loop();
  }

  async #loop(): Promise<void> {
    let stopHints: (() => void) | undefined;
    try {
      stopHints = this.#feed.onRunsFinished?.((runIds, runs) => this.#hint(runIds, runs));
    } catch {
      // Hints are a shortcut: without them every event still arrives through the ordered reads.
    }
    try {
      await this.#read();
    } finally {
      stopHints?.();
    }
  }

  async #read(): Promise<void> {
    const backoff = new Backoff(100, 2_000);
    let position: string | undefined;
    for (;;) {
      if (this.#count === 0) {
        // Decided in the same synchronous step as the check: a listener arriving from now on starts a new
        // reader and waits for its fresh position, so nothing falls between this reader and the next.
        this.#running = false;
        this.#hasPosition = false;
        return;
      }
      // Listeners came back after the last one left: the old signal is spent.
      if (this.#abort.signal.aborted) this.#abort = new AbortController();
      const signal = this.#abort.signal;
      try {
        if (position === undefined) {
          position = await this.#feed.head();
          this.#hasPosition = true;
          const resolvers = this.#readyResolvers;
          this.#readyResolvers = [];
          for (const resolve of resolvers) resolve();
          continue;
        }
        const page = await this.#feed.read(position, { limit: this.#limit, waitMs: this.#pollMs, signal });
        position = page.position;
        if (page.gap === true) this.#gap();
        for (const event of page.events) this.#dispatch(event);
        backoff.reset();
      } catch {
        // The feed is unreachable (connection lost, server restarting): retry from the same position,
        // which loses nothing because the feed keeps what was committed meanwhile.
        await sleep(backoff.next(), signal);
      }
    }
  }

  #hint(runIds: readonly string[], runs: readonly RunInfo[] = []): void {
    for (const runId of runIds) {
      const forRun = this.#byRun.get(runId);
      if (!forRun) continue;
      const run = runs.find((candidate) => candidate.runId === runId);
      for (const listener of [...forRun]) {
        try {
          listener.onFinishedHint?.(run);
        } catch {
          // Same rule as events: one listener that throws must not stop the others.
        }
      }
    }
  }

  /** Tells every listener that the feed lost events before the reader got them. */
  #gap(): void {
    const listeners = [...this.#all, ...[...this.#byRun.values()].flatMap((set) => [...set])];
    for (const listener of listeners) {
      try {
        listener.onGap?.();
      } catch {
        // Same rule as events: one listener that throws must not stop the others.
      }
    }
  }

  #dispatch(event: FeedEvent): void {
    const forRun = this.#byRun.get(event.runId);
    if (forRun) for (const listener of [...forRun]) deliver(listener, event);
    for (const listener of [...this.#all]) deliver(listener, event);
  }
}

/** Calls a listener; a listener that throws loses that event, never the reader. */
function deliver(listener: FeedListener, event: FeedEvent): void {
  try {
    listener.onEvent(event);
  } catch {
    // Listeners are documented not to throw; one that does must not stop delivery to the others.
  }
}
