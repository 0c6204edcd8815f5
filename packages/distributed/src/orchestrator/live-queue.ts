/**
 * Events pushed by a feed listener and pulled by an async generator, with a wake-up that an abort signal
 * also triggers.
 *
 * @remarks Internal to `watch`: the listener runs synchronously inside the shared reader, so it only
 * appends; the generator drains at its own pace.
 */
export class LiveQueue<T> {
  readonly #items: T[] = [];
  readonly #signal: AbortSignal | undefined;
  #wake: (() => void) | undefined;
  readonly #onAbort = (): void => this.#wakeUp();

  constructor(signal: AbortSignal | undefined) {
    this.#signal = signal;
    signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** Appends an item and wakes a waiting {@link next}. */
  push(item: T): void {
    this.#items.push(item);
    this.#wakeUp();
  }

  /** The oldest item, if any. */
  shift(): T | undefined {
    return this.#items.shift();
  }

  /** Resolves when an item is queued or the signal aborts. */
  next(): Promise<void> {
    if (this.#items.length > 0 || this.#signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  /** Waits for `promise` unless the signal aborts first; true when `promise` settled first. */
  async until(promise: Promise<void>): Promise<boolean> {
    const signal = this.#signal;
    if (!signal) {
      await promise;
      return true;
    }
    if (signal.aborted) return false;
    let onAbort = (): void => undefined;
    const aborted = new Promise<boolean>((resolve) => {
      onAbort = () => resolve(false);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([promise.then(() => true), aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Detaches from the signal. */
  close(): void {
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#wake?.();
    this.#wake = undefined;
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
