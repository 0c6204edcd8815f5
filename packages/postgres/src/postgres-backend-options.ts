import type { Logger } from '@floxide/core';
import type { RetentionOption } from '@floxide/distributed';
import type { PgPoolLike } from './pg-pool-like.js';

/** Options of {@link PostgresBackend}. */
export interface PostgresBackendOptions {
  /**
   * Your own `pg.Pool` (the backend never ends it), or a connection string for a pool the backend creates
   * and closes. Default: `connectionString`, else `DATABASE_URL`, else `postgres://postgres@127.0.0.1:5432/test`.
   */
  readonly pool?: PgPoolLike | string;
  /** Shortcut for `pool: '<url>'`. */
  readonly connectionString?: string;
  /** Size of the pool the backend creates from a connection string (default 10). */
  readonly poolSize?: number;
  /** Schema holding every Floxide table (default `floxide`); two schemas never see each other's data. */
  readonly schema?: string;
  /** Create / upgrade the tables on first use (default true). With false, call `migrate()` yourself. */
  readonly autoMigrate?: boolean;
  /** Where connection trouble is reported (never with connection strings). Default: silent. */
  readonly logger?: Logger;
  /**
   * Poll interval of waiting lease calls and change-feed reads while no LISTEN connection is up: it is
   * down, or there is none (`transactionPooler` without `listenConnection`). At least 10 ms; default 1 s.
   */
  readonly fallbackPollMs?: number;
  /**
   * Set to true when `pool` / `connectionString` reaches PostgreSQL through a pooler in transaction mode
   * (PgBouncer `pool_mode = transaction`), where `LISTEN` cannot work: the backend then never LISTENs on
   * that pool. Idle workers and feed readers are woken through `listenConnection` when given, else they
   * poll every `fallbackPollMs`. Every other query already keeps no session state. Default false.
   */
  readonly transactionPooler?: boolean;
  /**
   * Where the two LISTEN connections (work wake-ups, change feed) come from: a `pg.Pool` of yours (never
   * ended by the backend) or a connection string for a small pool the backend creates and closes. Give a
   * direct connection to PostgreSQL (not through a transaction-mode pooler). Default: `pool`, unless
   * `transactionPooler` is set. Only `LISTEN` runs on it.
   */
  readonly listenConnection?: PgPoolLike | string;
  /**
   * This process's clock (epoch ms; default `Date.now`). Due times, deadlines, lease expiry and retention
   * are decided on the database clock; this clock only stamps records (control events) and measures how
   * long a lease call has waited, so a skewed clock delays nothing. Injectable for tests of clock skew.
   */
  readonly clock?: () => number;
  /**
   * How long finished runs are kept before they and everything they own are deleted (default
   * `DEFAULT_RETENTION`: completed and cancelled 7 days, failed 30 days); `false` keeps every run.
   * Processes that lease (workers) delete due runs every `retentionSweepMs`.
   */
  readonly retention?: RetentionOption;
  /** How often a leasing process deletes due runs (ms, default 60 000; 0 disables the timer). */
  readonly retentionSweepMs?: number;
}

/** The connection used when none is given and `DATABASE_URL` is unset (local trust-auth PostgreSQL). */
export const DEFAULT_CONNECTION_STRING = 'postgres://postgres@127.0.0.1:5432/test';

/** Schema names are embedded in SQL and channel names: lower-case identifiers only, at most 48 characters. */
export const SCHEMA_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,47}$/;
