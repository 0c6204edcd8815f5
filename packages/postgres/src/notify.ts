import type { Logger } from '@floxide/core';
import type { PgPoolClientLike, PgPoolLike } from './pg-pool-like.js';

/** Options of {@link NotifyListener}. */
export interface NotifyListenerOptions {
  /** Where the LISTEN connection comes from; `undefined`: never listen (waits are plain timers). */
  readonly pool: PgPoolLike | undefined;
  readonly channel: string;
  readonly logger: Logger;
  /** First reconnect delay; doubles up to {@link maxBackoffMs}. Default 100 ms. */
  readonly initialBackoffMs?: number;
  /** Default 5 s. */
  readonly maxBackoffMs?: number;
}

/** One waiting lease call. */
interface Waiter {
  readonly wake: () => void;
}

/**
 * A dedicated connection LISTENing on the schema's channel: wakes idle lease calls when work is enqueued,
 * released, retried or resumed, so workers sleep instead of polling.
 *
 * @remarks
 * Started lazily by the first long-polling lease. When the connection breaks (server restart), it
 * reconnects with exponential backoff; while it is down {@link listening} is false and lease calls fall
 * back to a slow timer. Every (re)connect wakes all waiters, because notifications sent while nobody
 * listened are lost. The payload of a notification is the epoch ms at which the new work is visible.
 */
export class NotifyListener {
  readonly #options: NotifyListenerOptions;
  readonly #waiters = new Set<Waiter>();
  readonly #payloadListeners = new Set<(payload: string) => void>();
  #client: PgPoolClientLike | undefined;
  #connecting: Promise<void> | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #backoffMs: number;
  #closed = false;
  /** Increments on every notification and reconnect: a claim that saw an older value may have missed work. */
  generation = 0;

  constructor(options: NotifyListenerOptions) {
    this.#options = options;
    this.#backoffMs = options.initialBackoffMs ?? 100;
  }

  /** True while the LISTEN connection is up. */
  get listening(): boolean {
    return this.#client !== undefined;
  }

  /** False when there is no pool to LISTEN on: nothing ever wakes a waiter but its timer. */
  get enabled(): boolean {
    return this.#options.pool !== undefined;
  }

  /** Connects and LISTENs unless already done (or disabled); never throws (a failure schedules a reconnect). */
  async start(): Promise<void> {
    if (this.#closed || this.#client || !this.enabled) return;
    this.#connecting ??= this.#connect().finally(() => {
      this.#connecting = undefined;
    });
    await this.#connecting;
  }

  /**
   * Resolves at `untilMs` (epoch ms of `clock`, default `Date.now`), on a notification or reconnect, or when
   * `signal` aborts.
   */
  wait(untilMs: number, signal: AbortSignal | undefined, clock: () => number = Date.now): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.#closed || signal?.aborted) {
        resolve();
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const waiter: Waiter = { wake: done };
      const timer = setTimeout(done, Math.max(0, untilMs - clock()));
      this.#waiters.add(waiter);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * Calls `listener` with the payload of every notification on the channel (after the waiters are woken).
   * Returns a function that stops the calls. Does not start the connection: see {@link start}.
   */
  onPayload(listener: (payload: string) => void): () => void {
    this.#payloadListeners.add(listener);
    return () => {
      this.#payloadListeners.delete(listener);
    };
  }

  /** Stops listening, cancels the reconnect timer and wakes every waiter. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    await this.#connecting?.catch(() => undefined);
    const client = this.#client;
    this.#client = undefined;
    this.#wakeAll();
    if (client) {
      client.removeAllListeners('notification');
      try {
        await client.query(`UNLISTEN "${this.#options.channel}"`, []);
        client.release();
      } catch {
        client.release(true);
      }
    }
  }

  async #connect(): Promise<void> {
    const { pool } = this.#options;
    if (!pool) return;
    let client: PgPoolClientLike | undefined;
    try {
      client = await pool.connect();
      const connected = client;
      connected.on('error', (error) => this.#lost(connected, error));
      connected.on('end', () => this.#lost(connected, undefined));
      connected.on('notification', (message) => {
        if (message.channel !== this.#options.channel) return;
        this.#notified();
        if (message.payload) this.#deliverPayload(message.payload);
      });
      await connected.query(`LISTEN "${this.#options.channel}"`, []);
      if (this.#closed) {
        connected.release(true);
        return;
      }
      this.#client = connected;
      this.#backoffMs = this.#options.initialBackoffMs ?? 100;
      this.#notified();
    } catch (error) {
      client?.release(true);
      this.#options.logger.warn('postgres listener could not connect; retrying', { error: describe(error) });
      this.#scheduleReconnect();
    }
  }

  #lost(client: PgPoolClientLike, error: Error | undefined): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    client.removeAllListeners('notification');
    client.release(true);
    if (error)
      this.#options.logger.warn('postgres listener lost its connection; reconnecting', {
        error: describe(error),
      });
    this.#wakeAll();
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#reconnectTimer) return;
    const delay = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.#options.maxBackoffMs ?? 5_000);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      void this.start();
    }, delay);
    // A reconnect attempt alone must not keep the process alive.
    this.#reconnectTimer.unref();
  }

  #notified(): void {
    this.generation += 1;
    this.#wakeAll();
  }

  #deliverPayload(payload: string): void {
    for (const listener of [...this.#payloadListeners]) {
      try {
        listener(payload);
      } catch (error) {
        // A listener's bug must not break the connection's event handler (and with it every waiter).
        this.#options.logger.warn('postgres notification listener failed', { error: describe(error) });
      }
    }
  }

  #wakeAll(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const waiter of waiters) waiter.wake();
  }
}

/** An error's code and class for logs: never the message, which could echo connection details. */
function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${error.name} ${code}` : error.name;
  }
  return typeof error;
}
