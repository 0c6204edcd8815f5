/**
 * Waits `ms`, or less when `signal` aborts; never rejects. The timer is cleared either way, so an
 * aborted wait leaves nothing pending.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Resolves after the event loop has run its pending timers and I/O callbacks once (a macrotask turn). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Exponential backoff state: `next()` doubles the delay up to `maxMs`; `reset()` after a success. */
export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  #currentMs: number;

  constructor(initialMs: number, maxMs: number) {
    this.#initialMs = initialMs;
    this.#maxMs = maxMs;
    this.#currentMs = initialMs;
  }

  /** The delay to wait now; the next one is twice as long, capped. */
  next(): number {
    const delay = this.#currentMs;
    this.#currentMs = Math.min(this.#maxMs, this.#currentMs * 2);
    return delay;
  }

  /** Back to the initial delay. */
  reset(): void {
    this.#currentMs = this.#initialMs;
  }
}
