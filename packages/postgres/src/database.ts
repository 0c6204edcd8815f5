import type { ColumnType, Generated } from 'kysely';

/** A `bigint` column: pg returns it as a string (the mappers convert), accepts numbers on write. */
type Int8 = ColumnType<string | number, number, number>;

/** `runs`: one row per run, with its context and counters (updated only by the SQL functions). */
export interface RunsTable {
  run_id: string;
  workflow: string;
  version: number;
  status: string;
  input: unknown;
  output: unknown;
  error: unknown;
  created_at: Int8;
  started_at: Int8 | null;
  finished_at: Int8 | null;
  deadline_at: Int8 | null;
  /** Due time of the durable timer the run's latest commit set (migration 0012). */
  waiting_until: Int8 | null;
  context: unknown;
  context_version: number;
  /** Whether the run was started with a context object (null for runs created before migration 0002). */
  has_context: boolean | null;
  /** True once the context is stored per field (`context_fields`, `context_events`; migration 0004). */
  context_split: boolean;
  total_items: number;
  completed: number;
  failed: number;
  retries: number;
  event_seq: Int8;
  /** Signal parks the run ever had (migration 0017): 0 means no item can be waiting, so lists skip the check. */
  signal_parks: number;
  /** The run that started this one as a child run (migration 0021); null for any other run. */
  parent_run_id: string | null;
}

/** `work_items`: one row per work item (latest attempt); `queue_state` says whether it is in the queue. */
export interface WorkItemsTable {
  run_id: string;
  item_id: string;
  seq: Generated<string | number>;
  attempt: number;
  node: string;
  item: unknown;
  /** WorkItemStatus as the state store reports it. */
  status: string;
  /**
   * `ready` (queued or delayed until `visible_at`), `leased` (until `visible_at`), `parked` (queued in a
   * paused or failed run: outside the claim index until resumed or retried), `done`.
   */
  queue_state: string;
  visible_at: Int8;
  lease_token: string | null;
  worker_id: string | null;
  attempts: number;
  last_error: unknown;
}

/**
 * `join_arrivals`: branch values waiting at a join until the last one arrives, plus one header row per join
 * (`idx` −1, `value` = the number of branches arrived; migration `0005_wide_fanout`).
 */
export interface JoinArrivalsTable {
  run_id: string;
  join_item_id: string;
  idx: number;
  total: number;
  value: unknown;
}

/** `errors`: every failed attempt, append-only (`id` gives the append order). */
export interface ErrorsTable {
  id: Generated<string | number>;
  run_id: string;
  item_id: string;
  node: string;
  attempt: number;
  error: unknown;
  at: Int8;
}

/** `events`: run history, `seq` per run. */
export interface EventsTable {
  run_id: string;
  seq: Int8;
  at: Int8;
  type: string;
  status: string | null;
  item_id: string | null;
  node: string | null;
  attempt: number | null;
  error: unknown;
}

/** `node_timings`: per-run, per-node timing aggregates. */
export interface NodeTimingsTable {
  run_id: string;
  node: string;
  count: number;
  total_ms: number;
  max_ms: number;
}

/** `workers`: the last heartbeat of each worker. */
export interface WorkersTable {
  worker_id: string;
  health: unknown;
  last_heartbeat: Int8;
}

/** `schedules`: stored cron schedules (migration 0012); `last_tick` only ever rises. */
export interface SchedulesTable {
  id: string;
  /** The ScheduleRecord without `lastTickAt`. */
  record: unknown;
  last_tick: Int8 | null;
}

/** The Kysely database type of one Floxide schema. */
export interface FloxideDatabase {
  runs: RunsTable;
  work_items: WorkItemsTable;
  join_arrivals: JoinArrivalsTable;
  errors: ErrorsTable;
  events: EventsTable;
  node_timings: NodeTimingsTable;
  workers: WorkersTable;
  schedules: SchedulesTable;
}
