import type { AnyWorkflow, Logger } from '@floxide/core';
import type { Backend } from '../contracts/backend.js';
import type { LivenessStatus, WorkerHealth } from '../contracts/records.js';

/** Options of {@link DistributedOrchestrator}. */
export interface DistributedOrchestratorOptions {
  readonly backend: Backend;
  /** Workflows that can be started by name (the highest version wins) or by definition. */
  readonly workflows?: readonly AnyWorkflow[];
  readonly logger?: Logger;
}

/** Options of {@link DistributedOrchestrator.start}. */
export interface StartRunOptions {
  /** Initial context values (partial; the workflow's defaults fill the rest). */
  readonly context?: unknown;
  /** Caller-chosen run id; starting twice with the same id returns it without a second run. */
  readonly runId?: string;
  /** Deadline for the whole run, from now. */
  readonly deadlineMs?: number;
  /**
   * Items of runs with a higher priority are leased first (an integer from -1000 to 1000, default 0); runs
   * of equal priority share the workers in the backend's usual order.
   */
  readonly priority?: number;
}

/** Options of {@link DistributedOrchestrator.wait}. */
export interface WaitOptions {
  readonly signal?: AbortSignal;
  /** Give up after this long with a `TimeoutError`. */
  readonly timeoutMs?: number;
  /**
   * @deprecated Ignored: `wait` follows the backend's change feed instead of polling the run. Kept so
   * existing callers compile.
   */
  readonly pollMs?: number;
}

/** Options of {@link DistributedOrchestrator.watch}. */
export interface WatchOptions {
  /** Ends the iteration early (no error). */
  readonly signal?: AbortSignal;
  /**
   * @deprecated Ignored: `watch` follows the backend's change feed instead of polling. Kept so existing
   * callers compile.
   */
  readonly pollMs?: number;
}

/** Options of {@link DistributedOrchestrator.liveness}. */
export interface LivenessOptions {
  /** Heartbeat age from which a worker is stale; dead from 3× this age (default 5 000). */
  readonly staleAfterMs?: number;
  /** Reference time (default now). */
  readonly now?: number;
}

/** A worker's health with its liveness classification. */
export interface WorkerLiveness {
  readonly worker: WorkerHealth;
  readonly status: LivenessStatus;
  /** Milliseconds since the last heartbeat. */
  readonly ageMs: number;
}
