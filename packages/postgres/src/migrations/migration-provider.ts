import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { changeFeedSql, dropChangeFeedSql } from './change-feed-sql.js';
import { commitFunctionSql } from './commit-function-sql.js';
import { concurrencyLimitsSql } from './concurrency-limits-sql.js';
import { durableWaitsSql } from './durable-waits-sql.js';
import { dropFeedLatencySql, feedLatencySql } from './feed-latency-sql.js';
import { dropFinishedRunRecordsSql, finishedRunRecordsSql } from './finished-run-records-sql.js';
import { commitFunctionV2Sql } from './commit-function-v2-sql.js';
import { commitFunctionV4Sql } from './commit-function-v4-sql.js';
import { contextFieldsSql } from './context-fields-sql.js';
import { contextScaleSql } from './context-scale-sql.js';
import { queueFunctionsSql } from './queue-functions-sql.js';
import { queueFunctionsV2Sql } from './queue-functions-v2-sql.js';
import { recordChecksSql } from './record-checks-sql.js';
import { dropRunListIndexesSql, runListIndexesSql } from './run-list-indexes-sql.js';
import { runFunctionsSql } from './run-functions-sql.js';
import { runFunctionsV2Sql } from './run-functions-v2-sql.js';
import { signalsSql } from './signals-sql.js';
import { strandsSql } from './strands-sql.js';
import { retentionSql } from './retention-sql.js';
import { tablesSql } from './tables-sql.js';
import { taskQueuesSql } from './task-queues-sql.js';
import { wideFanoutSql } from './wide-fanout-sql.js';

/** Name of the Kysely migration bookkeeping table, created inside the backend's schema. */
export const MIGRATION_TABLE = 'floxide_migrations';
/** Name of Kysely's migration lock table, created inside the backend's schema. */
export const MIGRATION_LOCK_TABLE = 'floxide_migrations_lock';

/** Runs a script of several statements (the simple query protocol accepts them in one call). */
async function runScript(db: Kysely<unknown>, script: string): Promise<void> {
  await sql.raw(script).execute(db);
}

/**
 * The migrations of one schema, in order. Names sort in the order they must run.
 *
 * @remarks
 * A released migration never changes: later behaviour comes in a new migration that alters tables and
 * replaces functions (`create or replace`), so a schema created by any release upgrades in place.
 */
export function floxideMigrations(schema: string): Record<string, Migration> {
  const s = `"${schema}"`;
  return {
    '0001_initial': {
      up: async (db) => {
        await runScript(db, tablesSql(schema));
        await runScript(db, runFunctionsSql(schema));
        await runScript(db, queueFunctionsSql(schema));
        await runScript(db, commitFunctionSql(schema));
      },
      down: async (db) => {
        await runScript(
          db,
          ['runs', 'work_items', 'join_arrivals', 'errors', 'events', 'node_timings', 'workers', 'waiters']
            .map((table) => `drop table if exists ${s}.${table} cascade;`)
            .join('\n'),
        );
      },
    },
    // Corrupt records fail their run, parked backlogs leave the claim index, deadlines fire by database
    // time, retention locks items before runs.
    '0002_records_parking_deadlines': {
      up: async (db) => {
        await runScript(db, recordChecksSql(schema));
        await runScript(db, runFunctionsV2Sql(schema));
        await runScript(db, queueFunctionsV2Sql(schema));
        await runScript(db, commitFunctionV2Sql(schema));
        await runScript(db, `drop function if exists ${s}.delete_finished_runs(bigint, integer);`);
      },
    },
    // The change feed: a global event position and a NOTIFY per committed event (see change-feed-sql.ts).
    '0003_change_feed': {
      up: async (db) => {
        await runScript(db, changeFeedSql(schema));
      },
      down: async (db) => {
        await runScript(db, dropChangeFeedSql(schema));
      },
    },
    // The context stored per field; commits apply counter adds, event-log appends, register sets and
    // reducer compare-and-sets per field (see context-fields-sql.ts).
    '0004_context_fields': {
      up: async (db) => {
        await runScript(db, contextFieldsSql(schema));
      },
    },
    // Wide fan-outs: a join arrival costs constant work (a counter row), not a scan of every arrival so far.
    '0005_wide_fanout': {
      up: async (db) => {
        await runScript(db, wideFanoutSql(schema));
        await runScript(db, commitFunctionV4Sql(schema));
      },
    },
    // Finished-run hints in the feed's notification, so `wait` need not wait for the ordered feed.
    '0006_feed_latency': {
      up: async (db) => {
        await runScript(db, feedLatencySql(schema));
      },
      down: async (db) => {
        await runScript(db, dropFeedLatencySql(schema));
      },
    },
    // The runs list by workflow and status at once is an index range too (see run-list-indexes-sql.ts).
    '0007_run_list_indexes': {
      up: async (db) => {
        await runScript(db, runListIndexesSql(schema));
      },
      down: async (db) => {
        await runScript(db, dropRunListIndexesSql(schema));
      },
    },
    // An event-log append probes the unique event-id index per event instead of scanning the whole log
    // (see context-scale-sql.ts): the cost of a commit no longer grows with the log.
    '0008_context_scale': {
      up: async (db) => {
        await runScript(db, contextScaleSql(schema));
      },
    },
    // Strands: a commit may lease the run's next item to the committing worker (see strands-sql.ts).
    '0010_strands': {
      up: async (db) => {
        await runScript(db, strandsSql(schema));
      },
    },
    // Claims filtered by workflow version: a worker leases only items it can run (see task-queues-sql.ts);
    // retention by status and workflow (see retention-sql.ts).
    '0011_task_queues': {
      up: async (db) => {
        await runScript(db, taskQueuesSql(schema));
        await runScript(db, retentionSql(schema));
      },
    },
    // Durable timers: an advance may delay its successors (visible_at on the database clock) and the run
    // says until when it waits (runs.waiting_until; see durable-waits-sql.ts).
    '0012_durable_waits': {
      up: async (db) => {
        await runScript(db, durableWaitsSql(schema));
      },
    },
    // The final run record in the feed's notification, so `wait` resolves without reading the run.
    '0014_finished_run_records': {
      up: async (db) => {
        await runScript(db, finishedRunRecordsSql(schema));
      },
      down: async (db) => {
        await runScript(db, dropFinishedRunRecordsSql(schema));
      },
    },
    // Fleet-wide maxConcurrency per workflow version, counted and enforced by the claim (see
    // concurrency-limits-sql.ts).
    '0016_concurrency_limits': {
      up: async (db) => {
        await runScript(db, concurrencyLimitsSql(schema));
      },
    },
    // Durable signal waits: parked items, the signal inbox and ids, run_json's waiting status (see
    // signals-sql.ts).
    '0017_signals': {
      up: async (db) => {
        await runScript(db, signalsSql(schema));
      },
    },
  };
}

/**
 * Kysely {@link MigrationProvider} serving the Floxide migrations of one schema from code (no files to ship).
 *
 * @example
 * ```ts
 * const migrator = new Migrator({ db, provider: new FloxideMigrationProvider('floxide') });
 * ```
 */
export class FloxideMigrationProvider implements MigrationProvider {
  readonly #schema: string;

  constructor(schema: string) {
    this.#schema = schema;
  }

  /** The migrations by name. */
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(floxideMigrations(this.#schema));
  }
}
