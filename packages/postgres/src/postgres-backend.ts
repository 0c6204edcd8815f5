import { Kysely, PostgresDialect, sql } from 'kysely';
import { toErrorInfo } from '@floxide/core/engine';
import pg from 'pg';
import { BackendError, noopLogger, RunStateError, type ErrorInfo, type Logger } from '@floxide/core';
import {
  Retention,
  runNotFoundError,
  type Backend,
  type CommitResult,
  type NewRun,
  type RunControl,
  type RunInfo,
  type StartRunResult,
  type StepCommit,
} from '@floxide/distributed';
import { PostgresWorkQueue } from './claim.js';
import { CommitBatcher } from './commit/commit-batcher.js';
import { encodeJson } from './encode-json.js';
import { translatePgError } from './errors.js';
import type { MigrateResult } from './migrate.js';
import { NotifyListener } from './notify.js';
import { feedChannel, notifyChannel } from './notify-channel.js';
import type { PgPoolLike } from './pg-pool-like.js';
import {
  DEFAULT_CONNECTION_STRING,
  SCHEMA_NAME_PATTERN,
  type PostgresBackendOptions,
} from './postgres-backend-options.js';
import { PostgresChangeFeed } from './postgres-change-feed.js';
import { PostgresClock } from './postgres-clock.js';
import { PostgresContextStore } from './postgres-context-store.js';
import { PostgresErrorStore } from './postgres-error-store.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { PostgresLivenessStore } from './postgres-liveness-store.js';
import { PostgresScheduleStore } from './postgres-schedule-store.js';
import { PostgresSignalStore } from './postgres-signal-store.js';
import { PostgresMetricsStore } from './postgres-metrics-store.js';
import { PostgresRunInfoStore } from './postgres-run-info-store.js';
import { PostgresWorkItemStateStore } from './postgres-work-item-state-store.js';
import { parseRunInfo } from './record-schemas.js';
import { deleteExpiredRuns, deleteFinishedRuns, type DeleteFinishedRunsOptions } from './retention.js';
import { SchemaDb } from './schema-db.js';

/**
 * The PostgreSQL {@link Backend}: every Floxide table under one schema, created by Kysely migrations;
 * items claimed with `FOR UPDATE SKIP LOCKED`; idle workers woken by LISTEN/NOTIFY; each commit one
 * transaction in one round trip.
 *
 * @remarks
 * Every mutating operation (start, claim, commit, control, enqueue, lease extension and release) is a call
 * of a PL/pgSQL function installed by the migration, so it is atomic and costs one round trip. Guarantees:
 * at-least-once execution of a node, exactly-once commit of its result; a worker killed at any instant
 * loses nothing (its leases expire and the items are claimed again). Driver errors surface as
 * `BackendError` (`retryable` for serialization failures, deadlocks and lost connections) and never contain
 * the connection string. A pool you pass in stays yours: `close()` does not end it, but the backend takes
 * two connections from it for LISTEN (work wake-ups, change feed) while lease calls and feed reads wait.
 *
 * Behind PgBouncer in transaction mode: set `transactionPooler: true` and, for prompt wake-ups, give a
 * direct `listenConnection`; without one, waiting calls poll every `fallbackPollMs`. No query leaves
 * session state on a pooled connection (locks are transaction-scoped, names schema-qualified, statements
 * unnamed), migrations included.
 *
 * @example
 * ```ts
 * const backend = new PostgresBackend({ connectionString: process.env.DATABASE_URL, schema: 'floxide' });
 * const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
 * const worker = new DistributedWorker({ backend, workflows: [wf], concurrency: 8 });
 * await worker.start();
 * ```
 */
export class PostgresBackend implements Backend {
  readonly queue: PostgresWorkQueue;
  readonly runs: PostgresRunInfoStore;
  readonly metrics: PostgresMetricsStore;
  readonly errors: PostgresErrorStore;
  readonly liveness: PostgresLivenessStore;
  readonly schedules: PostgresScheduleStore;
  readonly signals: PostgresSignalStore;
  readonly items: PostgresWorkItemStateStore;
  readonly context: PostgresContextStore;
  readonly events: PostgresEventStore;
  readonly feed: PostgresChangeFeed;
  /** The database clock, as workers read it to judge run deadlines (see {@link PostgresClock}). */
  readonly clock: PostgresClock;
  /** The schema holding this backend's tables. */
  readonly schema: string;
  readonly #db: SchemaDb;
  readonly #kysely: Kysely<unknown>;
  readonly #ownsPool: boolean;
  readonly #listener: NotifyListener;
  readonly #clock: () => number;
  readonly #feedListener: NotifyListener;
  /** Step commits, batched per run while one of that run is in flight (issue 11 §1). */
  readonly #commits: CommitBatcher;
  readonly #retention: Retention | undefined;
  readonly #retentionSweepMs: number;
  readonly #logger: Logger;
  #retentionTimer: NodeJS.Timeout | undefined;
  #retentionSweep: Promise<unknown> | undefined;
  /** The pool the backend created from `listenConnection` (a connection string), ended by `close()`. */
  readonly #listenPool: PgPoolLike | undefined;
  #closed = false;

  constructor(options: PostgresBackendOptions = {}) {
    const schema = options.schema ?? 'floxide';
    if (!SCHEMA_NAME_PATTERN.test(schema)) {
      throw new BackendError(
        `Invalid schema name "${schema}": use lower-case letters, digits and _ (at most 48)`,
      );
    }
    this.schema = schema;
    validateListenOptions(options);
    this.#clock = options.clock ?? Date.now;
    const logger = options.logger ?? noopLogger;
    const given = options.pool;
    this.#ownsPool = given === undefined || typeof given === 'string';
    const pool: PgPoolLike =
      given !== undefined && typeof given !== 'string'
        ? given
        : createPool(
            given ?? options.connectionString ?? process.env['DATABASE_URL'] ?? DEFAULT_CONNECTION_STRING,
            options.poolSize ?? 10,
            logger,
          );
    this.#kysely = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
    this.#db = new SchemaDb({ db: this.#kysely, schema, autoMigrate: options.autoMigrate ?? true });
    const listen = options.listenConnection;
    // LISTEN needs a session of its own: never on a transaction-mode pooler's connections.
    this.#listenPool = typeof listen === 'string' ? createPool(listen, LISTEN_POOL_SIZE, logger) : undefined;
    const listenPool =
      typeof listen === 'string'
        ? this.#listenPool
        : (listen ?? (options.transactionPooler === true ? undefined : pool));
    const pollMs = options.fallbackPollMs === undefined ? {} : { fallbackPollMs: options.fallbackPollMs };
    this.#listener = new NotifyListener({ pool: listenPool, channel: notifyChannel(schema), logger });
    this.queue = new PostgresWorkQueue({
      db: this.#db,
      listener: this.#listener,
      pool,
      clock: this.#clock,
      ...pollMs,
    });
    this.runs = new PostgresRunInfoStore(this.#db);
    this.metrics = new PostgresMetricsStore(this.#db);
    this.errors = new PostgresErrorStore(this.#db);
    this.liveness = new PostgresLivenessStore(this.#db);
    this.schedules = new PostgresScheduleStore(this.#db);
    this.signals = new PostgresSignalStore(this.#db);
    this.items = new PostgresWorkItemStateStore(this.#db);
    this.context = new PostgresContextStore(this.#db);
    this.events = new PostgresEventStore(this.#db);
    this.#commits = new CommitBatcher(this.#db, pool);
    this.#feedListener = new NotifyListener({ pool: listenPool, channel: feedChannel(schema), logger });
    this.feed = new PostgresChangeFeed({
      db: this.#db,
      listener: this.#feedListener,
      ...(options.fallbackPollMs === undefined ? {} : { pollMs: options.fallbackPollMs }),
    });
    this.clock = new PostgresClock(this.#db, this.#clock);
    this.#logger = logger;
    this.#retention = Retention.of(options.retention);
    this.#retentionSweepMs = Math.max(0, options.retentionSweepMs ?? 60_000);
    const lease = this.queue.lease.bind(this.queue);
    // Retention runs in processes that lease (workers), from their first lease call on.
    this.queue.lease = async (opts) => {
      this.#startRetention();
      return lease(opts);
    };
  }

  /**
   * Deletes now every finished run whose retention time passed (see the `retention` option) with all its
   * records, in short batches; returns how many runs. 0 with `retention: false`.
   */
  deleteExpiredRuns(): Promise<number> {
    return this.#retention ? deleteExpiredRuns(this.#db, this.#retention) : Promise.resolve(0);
  }

  #startRetention(): void {
    if (this.#retentionTimer || !this.#retention || this.#retentionSweepMs === 0 || this.#closed) return;
    this.#retentionTimer = setInterval(() => {
      // A slow sweep is never overlapped by the next tick.
      this.#retentionSweep ??= this.deleteExpiredRuns()
        .catch((error: unknown) => this.#logger.warn('retention sweep failed', { error: toErrorInfo(error) }))
        .finally(() => (this.#retentionSweep = undefined));
    }, this.#retentionSweepMs);
    this.#retentionTimer.unref();
  }

  /** Creates or upgrades this schema's tables; idempotent and safe to run from many processes at once. */
  migrate(): Promise<MigrateResult> {
    return this.#db.migrate();
  }

  /** Stores the run, its context and start item in one transaction; idempotent by `runId`. */
  async startRun(run: NewRun): Promise<StartRunResult> {
    const db = this.#db;
    const payload = newRunJson(run);
    const result = await db.run('run start', (k) =>
      sql<{ result: StartRunResult }>`select ${db.ref('start_run')}(${payload}::jsonb) as result`.execute(k),
    );
    const row = result.rows[0];
    if (!row) throw new BackendError('PostgreSQL run start returned no result');
    return row.result;
  }

  /**
   * Stores the runs in one statement, so one transaction: all of them or none (see
   * {@link Backend.startRuns}). `start_run` runs once per run in the order given, so a run id given twice is
   * created by its first entry and found by the second.
   */
  async startRuns(runs: readonly NewRun[]): Promise<StartRunResult[]> {
    if (runs.length === 0) return [];
    const db = this.#db;
    const payload = `[${runs.map(newRunJson).join(',')}]`;
    const result = await db.run('run start', (k) =>
      sql<{ result: StartRunResult }>`select ${db.ref('start_run')}(t.run) as result
        from jsonb_array_elements(${payload}::jsonb) with ordinality as t(run, n) order by t.n`.execute(k),
    );
    if (result.rows.length !== runs.length)
      throw new BackendError(
        `PostgreSQL run start returned ${result.rows.length} results for ${runs.length} runs`,
      );
    return result.rows.map((row) => row.result);
  }

  /** Records one step in one transaction, exactly once (see {@link Backend.commit}). */
  commit(step: StepCommit): Promise<CommitResult> {
    return this.#commits.commit(step);
  }

  /**
   * Pauses, resumes, cancels or revives a run; throws `RunNotFoundError` / `RunStateError`.
   *
   * @remarks
   * A run whose stored row is corrupt is not paused, resumed or revived: it is failed with
   * `CORRUPT_RECORD` in the same transaction and returned as such (cancel still cancels it).
   */
  async control(runId: string, action: RunControl): Promise<RunInfo> {
    const db = this.#db;
    const result = await db.run('run control', (k) =>
      sql<{
        result: { run?: unknown; error?: string; status?: string; reason?: string };
      }>`select ${db.ref('control_run')}(${runId}, ${action}, ${Math.round(this.#clock())}::bigint) as result`.execute(
        k,
      ),
    );
    const answer = result.rows[0]?.result;
    if (answer?.error === 'RUN_NOT_FOUND') throw runNotFoundError(runId);
    if (answer?.error === 'RUN_STATE') {
      const why =
        answer.reason === undefined
          ? `it is ${answer.status ?? 'in another state'}`
          : `it has ${answer.reason} to run again`;
      throw new RunStateError(`Cannot ${action} run ${runId}: ${why}`);
    }
    if (!answer?.run) throw new BackendError('PostgreSQL run control returned no result');
    return parseRunInfo(answer.run, runId);
  }

  /** Fails an unfinished run with an error record; no-op for a finished or missing run. */
  async failRun(runId: string, error: ErrorInfo): Promise<void> {
    const db = this.#db;
    await db.run('run failure', (k) =>
      sql`select ${db.ref('fail_run')}(${runId}, ${encodeJson(error, `the error of run ${runId}`)}::jsonb, ${Math.round(this.#clock())}::bigint)`.execute(
        k,
      ),
    );
  }

  /** Deletes finished runs older than `olderThanMs` with all their records; returns how many runs. */
  deleteFinishedRuns(options: DeleteFinishedRunsOptions): Promise<number> {
    return deleteFinishedRuns(this.#db, options);
  }

  /**
   * Drops this backend's schema with every table, function and record in it. For tests, demos and
   * tooling (the Redis backend has the same method); nothing calls it on its own. Use the backend for
   * nothing but `close()` afterwards.
   */
  async destroyAllData(): Promise<void> {
    try {
      // Straight to the pool: migrating a schema first only to drop it would be wasted work.
      await sql`drop schema if exists ${sql.id(this.schema)} cascade`.execute(this.#kysely);
    } catch (error) {
      throw translatePgError(error, 'schema drop');
    }
  }

  /** Stops the LISTEN connections and ends the pools the backend created. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#retentionTimer);
    await this.#retentionSweep;
    await Promise.all([this.#listener.close(), this.#feedListener.close()]);
    await this.#listenPool?.end();
    if (this.#ownsPool) await this.#kysely.destroy();
  }
}

/** Rejects a poll interval that would spin (or never poll) and an empty `listenConnection` string. */
function validateListenOptions(options: PostgresBackendOptions): void {
  const pollMs = options.fallbackPollMs;
  if (pollMs !== undefined && !(Number.isFinite(pollMs) && pollMs >= MIN_POLL_MS)) {
    throw new BackendError(
      `Invalid fallbackPollMs ${String(pollMs)}: use a finite number of milliseconds, at least ${MIN_POLL_MS}`,
    );
  }
  if (options.listenConnection === '') {
    throw new BackendError('Invalid listenConnection: an empty connection string');
  }
}

/** Shortest `fallbackPollMs`: polling faster would only load the database. */
const MIN_POLL_MS = 10;

/** Connections of a pool created from `listenConnection`: one per LISTENing channel. */
const LISTEN_POOL_SIZE = 2;

function createPool(connectionString: string, max: number, logger: Logger): PgPoolLike {
  const pool = new pg.Pool({ connectionString, max });
  // An idle connection dropped by a server restart emits 'error' on the pool; unhandled it would kill the
  // process. The pool replaces the connection by itself on the next query.
  pool.on('error', (error) =>
    logger.warn('postgres pool connection lost', { code: (error as { code?: unknown }).code }),
  );
  // A connection that breaks while checked out (by Kysely, between queries) emits 'error' with no listener
  // attached by the pool; a permanent no-op listener keeps that from crashing the process. The failed query
  // itself still rejects and is translated.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return pool;
}

/** The JSON `start_run` takes for one run (times as whole epoch ms). */
function newRunJson(run: NewRun): string {
  return encodeJson(
    {
      ...run,
      createdAt: Math.round(run.createdAt),
      deadlineAt: run.deadlineAt === undefined ? undefined : Math.round(run.deadlineAt),
    },
    `the input or context of run ${run.runId}`,
  );
}
