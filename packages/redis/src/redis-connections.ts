import { Redis } from 'ioredis';
import { connectionSecrets, deriveConnection, type RedisClient } from './connection.js';
import { RedisKeys } from './keys.js';
import { toBackendError } from './redis-errors.js';

/**
 * How long close() lets a connection `QUIT` (answer what it was sent) before dropping it (ms). A connection
 * whose server is unreachable holds `QUIT` behind the commands it keeps for a reconnect, for ever on
 * BullMQ's connections (`maxRetriesPerRequest: null`).
 */
const QUIT_GRACE_MS = 1_000;

/** How long a measured offset between this process's clock and the Redis server's clock is reused (ms). */
const CLOCK_REFRESH_MS = 10_000;

/** Settings of {@link RedisConnections}. */
export interface RedisConnectionsOptions {
  readonly connection: RedisClient | string;
  readonly prefix: string;
  /** This process's clock (epoch ms); `Date.now` unless a test injects a skewed one. */
  readonly now?: () => number;
}

/**
 * The connection part of what the stores of one {@link RedisBackend} share: the client, the key layout,
 * the connections derived for BullMQ, the server clock and the translation of driver failures.
 *
 * @remarks Internal. Commands of the backend's own scripts go through `client` (fail fast when the server
 * is unreachable); BullMQ gets connections derived from it with `duplicate()` (see `deriveConnection`), so
 * it reaches exactly the servers the user's client reaches, whatever options route it there. The BullMQ
 * transport part is {@link RedisShared}, which extends this class.
 */
export class RedisConnections {
  readonly keys: RedisKeys;
  readonly client: RedisClient;
  readonly #ownsClient: boolean;
  /** Connections derived for BullMQ: this backend closes them after the BullMQ objects using them. */
  readonly #derived: RedisClient[] = [];
  readonly #secrets: string[];
  #clock?: { offset: number; at: number };
  /** This process's clock (epoch ms). */
  readonly now: () => number;

  constructor(options: RedisConnectionsOptions) {
    this.now = options.now ?? Date.now;
    this.keys = new RedisKeys(options.prefix);
    if (typeof options.connection === 'string') {
      this.client = new Redis(options.connection, {
        maxRetriesPerRequest: 1,
        retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
        lazyConnect: false,
      });
      this.#ownsClient = true;
      // Errors surface through the failing commands as BackendError; the event itself is not an error path.
      this.client.on('error', () => undefined);
    } else {
      this.client = options.connection;
      this.#ownsClient = false;
    }
    this.#secrets = connectionSecrets(this.client);
  }

  /**
   * A connection for BullMQ derived from the client (`duplicate()`): a worker's must not give up on a
   * command (`maxRetriesPerRequest: null`, BullMQ's requirement for blocking fetches), the queue's fails fast.
   */
  protected bullConnection(blocking: boolean): RedisClient {
    const connection = deriveConnection(this.client, { maxRetriesPerRequest: blocking ? null : 1 });
    connection.on('error', () => undefined);
    this.#derived.push(connection);
    return connection;
  }

  /** Wraps a failure into a BackendError without secrets. */
  fail(error: unknown, operation: string): Error {
    return toBackendError(error, operation, this.#secrets);
  }

  /** Runs `fn`, translating driver failures into BackendError. */
  async guard<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw this.fail(error, operation);
    }
  }

  /**
   * The Redis server's clock (epoch ms), estimated from this process's clock and an offset measured with
   * `TIME` at most {@link CLOCK_REFRESH_MS} ago: delays handed to BullMQ are computed from it, so a worker
   * whose clock is off does not move due times.
   */
  async serverNow(): Promise<number> {
    const local = this.now();
    if (!this.#clock || Math.abs(local - this.#clock.at) > CLOCK_REFRESH_MS) {
      const before = this.now();
      const [sec, usec] = await this.client.time();
      const after = this.now();
      const server = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
      this.#clock = { offset: server - (before + after) / 2, at: after };
      return server + (after - before) / 2;
    }
    return local + this.#clock.offset;
  }

  /** Closes the connections derived for BullMQ, then the client when this backend created it. */
  protected async closeConnections(): Promise<void> {
    await Promise.all(this.#derived.splice(0).map(quitOrDrop));
    if (this.#ownsClient) await quitOrDrop(this.client);
  }
}

/** `QUIT`, or drop the connection when that fails or takes longer than {@link QUIT_GRACE_MS}. */
async function quitOrDrop(connection: RedisClient): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const quit = connection.quit().then(
    () => true,
    () => false,
  );
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), QUIT_GRACE_MS);
  });
  const quitted = await Promise.race([quit, late]);
  clearTimeout(timer);
  if (!quitted) connection.disconnect();
}
