/**
 * Terminology used by every contract in this package:
 *
 * - **run**: one execution of a workflow for one input, identified by `runId`.
 * - **work item**: one node's input within a run (`WorkItem` in `@floxide/core/engine`); the unit the queue hands out.
 * - **node**: a step definition of the workflow graph; a work item names the node to run.
 * - **step**: one attempt at executing one work item, ending in a {@link StepOutcome}.
 * - **commit**: recording a step's outcome atomically and exactly once ({@link Backend.commit}).
 * - **lease**: a worker's time-limited claim on a work item; it expires unless extended, and then the
 *   item becomes visible to other workers again.
 * - **worker**: a process (or part of one) that leases items, runs nodes and commits steps.
 * - **orchestrator**: the API that starts, inspects and controls runs.
 *
 * All timestamps are epoch milliseconds. All payloads (`input`, `output`, context state) are JSON values.
 * @module
 */
import type { ErrorInfo } from '@floxide/core';

/**
 * Lifecycle of a run. `completed`, `failed` and `cancelled` are final (except `retryFailed` on failed).
 * `waiting`: every outstanding item of the run is parked on a signal (see `SignalStore`).
 */
export type RunStatus = 'queued' | 'running' | 'waiting' | 'paused' | 'completed' | 'failed' | 'cancelled';

/** The statuses after which a run changes no more (a failed run may be revived by `retryFailed`). */
export const FINISHED_RUN_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];

/** Stored record of one run. */
export interface RunInfo {
  readonly runId: string;
  readonly workflow: string;
  readonly version: number;
  readonly status: RunStatus;
  readonly input: unknown;
  readonly output?: unknown;
  readonly error?: ErrorInfo;
  readonly createdAt: number;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  /** Absolute deadline of the whole run, when one was given. */
  readonly deadlineAt?: number;
  /**
   * When the durable timer set by the run's latest commit is due (epoch ms, the backend's clock): the run is
   * waiting for it, holding no lease and no worker slot (see `Transition.next(value, { delayMs })`). Set by a
   * commit whose step started a timer; gone after the run's next commit and once the run is finished. A time
   * in the past means the timer fired and its items wait for a worker.
   */
  readonly waitingUntil?: number;
  /**
   * The signal names the run's parked items wait for (`Transition.waitFor`), one per parked item, oldest
   * park first; absent when none is parked (see `SignalStore`).
   */
  readonly waitingFor?: readonly string[];
  /**
   * The run that started this one as a child run (a `subflow` node on a distributed worker); absent for a
   * run started any other way.
   */
  readonly parentRunId?: string;
}

/** Per-node timing aggregate. */
export interface NodeTimings {
  readonly count: number;
  readonly totalMs: number;
  readonly maxMs: number;
}

/** Counters of one run, maintained by commits. */
export interface RunMetrics {
  /** Work items ever created for the run (start item, successors, join items, fallbacks). */
  readonly totalItems: number;
  /** Steps committed with success (advance). */
  readonly completed: number;
  /** Steps that failed for good (dead or taken the on-failure edge). */
  readonly failed: number;
  /** Retries scheduled. */
  readonly retries: number;
  /** Items currently leased by a worker. */
  readonly running: number;
  /** Timings of committed steps by node name. */
  readonly nodes: Readonly<Record<string, NodeTimings>>;
}

/** One failed attempt, kept for inspection. */
export interface WorkflowErrorRecord {
  readonly runId: string;
  readonly itemId: string;
  readonly node: string;
  readonly attempt: number;
  readonly error: ErrorInfo;
  readonly at: number;
}

/** Status of a work item. */
export type WorkItemStatus = 'pending' | 'running' | 'completed' | 'failed' | 'waiting-retry' | 'dead';

/** Stored state of one work item. */
export interface WorkItemState {
  readonly itemId: string;
  readonly runId: string;
  readonly node: string;
  readonly status: WorkItemStatus;
  /** Attempts started so far. */
  readonly attempts: number;
  readonly lastError?: ErrorInfo;
}

/** What a worker reports about itself on each heartbeat. */
export interface WorkerHealth {
  readonly workerId: string;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: number;
  readonly lastHeartbeat: number;
  readonly status: 'idle' | 'busy' | 'stopping' | 'stopped';
  /** Item ids currently executing. */
  readonly currentItems: readonly string[];
  readonly processed: number;
  readonly errors: number;
}

/** Liveness classification of a worker from the age of its last heartbeat. */
export type LivenessStatus = 'alive' | 'stale' | 'dead';

/** An event in a run's history, in commit order. `seq` increases strictly within a run. */
export interface RunEvent {
  readonly seq: number;
  readonly runId: string;
  readonly at: number;
  readonly type: 'run.status' | 'step.started' | 'step.committed' | 'step.retrying' | 'step.failed';
  readonly status?: RunStatus;
  readonly itemId?: string;
  readonly node?: string;
  readonly attempt?: number;
  readonly error?: ErrorInfo;
}
