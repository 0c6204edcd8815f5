import type { ErrorInfo } from '@floxide/core';
import type { FieldCommit, StepOutcome, WorkItem } from '@floxide/core/engine';
import type { ChangeFeed } from './change-feed.js';
import type { BackendClock } from './backend-clock.js';
import type { ContextStore } from './context-store.js';
import type { ErrorStore } from './error-store.js';
import type { EventStore } from './event-store.js';
import type { LivenessStore } from './liveness-store.js';
import type { MetricsStore } from './metrics-store.js';
import type { RunInfo, RunStatus } from './records.js';
import type { RunInfoStore } from './run-info-store.js';
import type { ScheduleStore } from './schedule-store.js';
import type { SignalStore } from './signal-store.js';
import type { Lease, WorkQueue } from './work-queue.js';
import type { WorkItemStateStore } from './work-item-state-store.js';

/** Everything {@link Backend.startRun} stores for a new run, in one atomic step. */
export interface NewRun {
  readonly runId: string;
  readonly workflow: string;
  readonly version: number;
  readonly input: unknown;
  /** Initial context state (version 0). */
  readonly context: unknown;
  readonly startItem: WorkItem;
  readonly deadlineAt?: number;
  readonly createdAt: number;
  /** The parent run, for a child run (stored as `RunInfo.parentRunId`). */
  readonly parentRunId?: string;
}

/** Result of {@link Backend.startRun}: `created` is false when a run with that id already existed. */
export interface StartRunResult {
  readonly created: boolean;
  readonly run: RunInfo;
}

/** The step to record: the lease it ran under and what the node produced. */
export interface StepCommit {
  readonly lease: Lease;
  readonly outcome: StepOutcome;
  /**
   * The step's context changes, one {@link FieldCommit} per field the step touched (see
   * {@link ContextCommit}). Present only when the outcome changes the context.
   */
  readonly context?: ContextCommit;
  /** Commit time (epoch ms). */
  readonly at: number;
  /**
   * Set when the committing worker wants to continue a strand: the backend may lease the run's next ready
   * item to it in the same atomic commit (see {@link StrandRequest} and {@link CommitResult}).
   */
  readonly strand?: StrandRequest;
}

/**
 * A worker's request to continue a strand: the commit leases the run's next ready item to the lease's
 * worker, for `leaseMs`, instead of leaving it to the queue.
 *
 * @remarks
 * A backend leases at most one item, and only when the commit is recorded (`committed`), the outcome is
 * `advance` without terminal output, and the run is `running` after the commit (never paused, failed,
 * cancelled or completed: checked in the same atomic step as the commit, so pause and cancel stop a strand
 * at its next commit). The item is the step's first successor; with none, the first join item the commit
 * fired. Every other item the commit produced is queued as usual. The leased item is in exactly the state
 * a {@link WorkQueue.lease} would leave it in (running, attempt counted, `step.started` recorded), and its
 * lease is extended, released and committed like any other. A backend may ignore the request (the worker
 * then takes its next item from the queue). A backend may also keep the strand under the lease it started
 * with (Redis: the BullMQ job lock of the strand's first item), whose length is that first lease's.
 */
export interface StrandRequest {
  /** Visibility deadline of the next item's lease, from the commit. */
  readonly leaseMs: number;
}

/**
 * A step's context changes, applied by the backend per field, atomically with the step and never as a
 * rewrite of the whole context (a commit's cost does not depend on the context's size):
 * - `counter` `add`: an atomic increment;
 * - `eventLog` `append`: each event appended unless its id is already in that log (idempotent by event
 *   id); the log is never rewritten;
 * - `register` `set`: the value replaces the previous one;
 * - `reducer`: compare-and-set on the field's own version (`expectedVersion`); a mismatch makes the whole
 *   commit a `conflict` that changes nothing, and the worker re-reads that field only, re-applies, commits
 *   again.
 * A commit carrying field commits raises the context version (see `ContextStore`) by one.
 */
export interface ContextCommit {
  readonly fields: readonly FieldCommit[];
}

/** What a commit did. */
export type CommitResult =
  /**
   * Recorded; `runStatus` is the run's status after the commit. `next` is the run's next item, already
   * leased to the committing worker, when the commit asked for a strand continuation and one was granted
   * (see {@link StrandRequest}).
   */
  | { readonly status: 'committed'; readonly runStatus: RunStatus; readonly next?: Lease }
  /** This `(itemId, attempt)` was already committed: nothing changed. */
  | { readonly status: 'duplicate' }
  /** The run is cancelled or finished: nothing changed. */
  | { readonly status: 'rejected'; readonly runStatus: RunStatus }
  /**
   * A reducer field's version moved on since it was read (or the run's context is still stored in the
   * single-document layout of older releases and must be read once to split it): nothing changed;
   * re-read, re-apply, commit again.
   */
  | { readonly status: 'conflict' };

/** A run control action and the statuses it applies from. */
export type RunControl = 'pause' | 'resume' | 'cancel' | 'retryFailed';

/**
 * A storage backend: the stores of a distributed deployment plus the atomic operations on them.
 *
 * @remarks
 * `commit` is the heart of the engine. It records one step in a single atomic, idempotent operation
 * keyed by `(itemId, attempt)`:
 * - item state (completed / failed / waiting-retry / dead), attempts, last error;
 * - for `advance`: successor items enqueued, join arrivals stored (a join item is enqueued with the
 *   outputs in index order when its last branch arrives), context changes per field (see
 *   {@link ContextCommit}),
 *   terminal output (the first terminal output completes the run);
 * - for `retry`: the retry item as a durable delayed item (visible after `delayMs`);
 * - for `failed`: fallback items enqueued, or with none the item `dead` and the run `failed`;
 * - metrics counters, an error record for every failed attempt, run events;
 * - the run fails with `NO_TERMINAL_OUTPUT` when its last outstanding item is consumed without output;
 * - the lease is released (the item leaves the queue).
 *
 * A commit for an already committed `(itemId, attempt)` is `duplicate`; for a cancelled or finished run it
 * is `rejected` (a run that does not exist counts as cancelled); neither changes anything. A commit whose
 * reducer field's `expectedVersion` is stale is `conflict`. A commit is accepted even when the lease it names was
 * lost meanwhile, as long as that `(itemId, attempt)` is not committed yet: the first commit wins and
 * the other holder's commit is a `duplicate`. Delays (`retry.delayMs`) count from the backend's clock at
 * commit time, not from `at`.
 *
 * @example
 * ```ts
 * const backend: Backend = new MemoryBackend();
 * const { created } = await backend.startRun(newRun);
 * ```
 */
export interface Backend {
  readonly queue: WorkQueue;
  readonly runs: RunInfoStore;
  readonly metrics: MetricsStore;
  readonly errors: ErrorStore;
  readonly liveness: LivenessStore;
  readonly items: WorkItemStateStore;
  readonly context: ContextStore;
  readonly events: EventStore;
  /** Every run event in commit order, readable from a position (see {@link ChangeFeed}). */
  readonly feed: ChangeFeed;
  /**
   * The clock the backend judges due times, leases and deadlines by. Workers check a step's run deadline
   * against it; a backend without one is judged by the worker's own clock.
   */
  readonly clock?: BackendClock;
  /**
   * Stored cron schedules (`DistributedOrchestrator.schedule`). Optional so older third-party backends
   * still compile; the orchestrator's schedule methods need it.
   */
  readonly schedules?: ScheduleStore;
  /**
   * Durable signal waits (`Transition.waitFor` on workers, `DistributedOrchestrator.signal`). Optional so
   * older third-party backends still compile; a worker fails a waiting step on a backend without it.
   */
  readonly signals?: SignalStore;

  /**
   * Stores the run (status `queued`), its context and start item atomically. Idempotent by `runId`: an
   * existing run is returned unchanged with `created: false`.
   */
  startRun(run: NewRun): Promise<StartRunResult>;
  /**
   * Stores several runs, each exactly as {@link startRun} would (atomic per run, idempotent by `runId`),
   * in fewer round trips, and returns their results in the same order; a run id that appears twice is
   * created by its first entry. Optional: without it, `DistributedOrchestrator.startMany` calls
   * `startRun` once per run, concurrently. The orchestrator hands it at most 500 runs per call.
   */
  startRuns?(runs: readonly NewRun[]): Promise<StartRunResult[]>;
  /** Records one step atomically and exactly once; see the remarks above. */
  commit(step: StepCommit): Promise<CommitResult>;
  /**
   * Changes a run's status atomically and returns the updated run:
   * - `pause`: queued/running → paused; its items are not handed out until resumed (in-flight steps may
   *   still commit).
   * - `resume`: paused → running; its waiting items become visible again.
   * - `cancel`: any unfinished status → cancelled; queued items are purged and every later commit or lease
   *   extension of the run is refused.
   * - `retryFailed`: failed → running; every `dead` item is enqueued again as a new attempt, and items
   *   still queued become visible again. `RunStateError` when the run has nothing left to run.
   * Throws `RunNotFoundError` for a missing run and `RunStateError` when the status does not allow it.
   * A cancelled run's `error` is a `CANCELLED` error info.
   */
  control(runId: string, action: RunControl): Promise<RunInfo>;
  /**
   * Fails a run that cannot go on (e.g. a stored record failed to parse), with an error record whose
   * `itemId` and `node` are empty and `attempt` 0 (the failure belongs to the run, not to one step).
   * No-op for a finished run. Missing run: no-op.
   */
  failRun(runId: string, error: ErrorInfo): Promise<void>;
  /** Releases connections and timers the backend created (not a client the caller passed in). */
  close(): Promise<void>;
}
