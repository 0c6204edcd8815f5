/** What a scheduler does with ticks it missed (no orchestrator was firing schedules at the time). */
export type MissedTickPolicy = 'skip' | 'catchUp';

/** A stored schedule: start a run of `workflow@version` with `input` at every tick of `cron`. */
export interface ScheduleRecord {
  /** Caller-chosen id; the runs it starts are `schedule:<id>:<tick epoch ms>`. */
  readonly id: string;
  readonly workflow: string;
  readonly version: number;
  /** A cron expression (5 fields, or 6 with seconds first). */
  readonly cron: string;
  /** IANA time zone the expression is read in (default UTC). */
  readonly timezone?: string;
  readonly input: unknown;
  readonly missed: MissedTickPolicy;
  /** When the schedule was first stored (epoch ms); ticks before it never fire. */
  readonly createdAt: number;
  /** The latest tick fired so far (epoch ms), absent before the first. Kept by `markFired`. */
  readonly lastTickAt?: number;
}

/**
 * Stored schedules (see `DistributedOrchestrator.schedule`).
 *
 * @remarks
 * `put` upserts the definition by id and keeps the schedule's fired ticks and `createdAt` (so registering
 * the same schedule at every deploy fires nothing twice); `markFired` raises `lastTickAt` atomically to
 * the larger of the stored and the given tick (never lowers it; a missing schedule: no-op). Reads of a
 * missing id give `undefined`; `delete` is idempotent and says whether the schedule existed.
 *
 * @example
 * ```ts
 * await backend.schedules?.put({ id: 'nightly', workflow: 'report', version: 1, cron: '0 2 * * *',
 *   input: {}, missed: 'skip', createdAt: Date.now() });
 * ```
 */
export interface ScheduleStore {
  put(record: Omit<ScheduleRecord, 'lastTickAt'>): Promise<ScheduleRecord>;
  get(id: string): Promise<ScheduleRecord | undefined>;
  /** Every schedule, in id order. */
  list(): Promise<ScheduleRecord[]>;
  delete(id: string): Promise<boolean>;
  markFired(id: string, tickAt: number): Promise<void>;
}
