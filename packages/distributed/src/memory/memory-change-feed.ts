import type { ChangeFeed, FeedPage, FeedReadOptions } from '../contracts/change-feed.js';
import { copy, type MemoryState } from './memory-state.js';

const DEFAULT_LIMIT = 1_000;

/**
 * The in-memory {@link ChangeFeed}: one array of the newest events of every run in append order (the
 * oldest are trimmed once it holds twice `feedMaxLength`, as Redis trims its stream; a reader behind the
 * trimmed part reads on from the oldest kept event).
 *
 * @remarks Appending and waking readers happen in the same synchronous block as the change, so a reader
 * sees events in exactly the order they were recorded. Positions are decimal strings; anything that does
 * not parse as a non-negative integer reads from the start.
 *
 * @example
 * ```ts
 * const page = await backend.feed.read(await backend.feed.head(), { waitMs: 1_000 });
 * ```
 */
export class MemoryChangeFeed implements ChangeFeed {
  readonly #state: MemoryState;

  constructor(state: MemoryState) {
    this.#state = state;
  }

  /** The position of the newest event (`'0'` before the first one). */
  async head(): Promise<string> {
    return String(this.#state.feedStart + this.#state.feed.length);
  }

  /** Copies of the events after `after`; waits up to `waitMs` for one when there is none yet. */
  async read(after: string, options: FeedReadOptions = {}): Promise<FeedPage> {
    const start = parsePosition(after);
    const limit = Math.max(1, Math.floor(options.limit ?? DEFAULT_LIMIT));
    const waitMs = options.waitMs ?? 0;
    const state = this.#state;
    if (state.feedStart + state.feed.length <= start && waitMs > 0 && !options.signal?.aborted) {
      await this.#waitForEvent(waitMs, options.signal);
    }
    const from = Math.max(0, start - state.feedStart);
    const events = copy(state.feed.slice(from, from + limit));
    const last = events[events.length - 1];
    return { events, position: last ? last.position : String(start) };
  }

  #waitForEvent(waitMs: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        remove();
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const remove = this.#state.addFeedWaiter(done);
      const timer = setTimeout(done, waitMs);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

function parsePosition(position: string): number {
  const n = Number(position);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}
