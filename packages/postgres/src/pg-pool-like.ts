import type { PostgresPoolClient } from 'kysely';

/** A LISTEN notification as pg delivers it. */
export interface PgNotification {
  readonly channel: string;
  readonly payload?: string | undefined;
}

/**
 * The part of a `pg.PoolClient` the backend uses: queries (through Kysely), LISTEN notifications and
 * connection errors, and `release(true)` to discard a broken connection.
 */
export interface PgPoolClientLike extends PostgresPoolClient {
  release(destroy?: boolean | Error): void;
  on(event: 'notification', listener: (message: PgNotification) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  removeAllListeners(event?: string): unknown;
}

/**
 * The part of a `pg.Pool` the backend uses. A `pg.Pool` satisfies it; so does any pool with the same shape
 * (the backend never depends on driver classes in its public types).
 */
export interface PgPoolLike {
  connect(): Promise<PgPoolClientLike>;
  end(): Promise<void>;
}
