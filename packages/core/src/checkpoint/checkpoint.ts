import type { ErrorInfo } from '../step/step-outcome.js';
import type { JoinArrival, WorkItem } from '../step/work-item.js';

/** A join waiting for branches: the item it will enqueue, and the values received so far. */
export interface CheckpointJoin {
  readonly joinItem: JoinArrival['joinItem'];
  readonly total: number;
  /** `[index, value]` pairs of the branches that arrived. */
  readonly values: readonly (readonly [number, unknown])[];
}

/**
 * A step parked on `Transition.waitFor`: the item (run again when the signal is delivered), the signal it
 * waits for and, with a timeout, when the wait ends (epoch ms).
 */
export interface CheckpointWait {
  readonly item: WorkItem;
  readonly name: string;
  readonly timeoutAt?: number;
}

/** Status of a checkpointed local run; `'waiting'`: only steps parked on signals are left. */
export type CheckpointStatus = 'running' | 'waiting' | 'completed' | 'failed';

/**
 * The saved state of a local run: plain JSON.
 *
 * @remarks
 * `version` counts saves (1 for the first); a store refuses a save whose expected version is not the
 * stored one, so two processes cannot both continue one run. `queue` holds every item not yet committed,
 * including the one that was running when the run failed, so `resume` re-runs it.
 *
 * @example
 * ```ts
 * const cp = await store.load('run-1');
 * if (cp?.status === 'failed') await wf.resume('run-1', { checkpoint: store });
 * ```
 */
export interface Checkpoint {
  readonly version: number;
  readonly runId: string;
  readonly workflow: string;
  readonly workflowVersion: number;
  readonly status: CheckpointStatus;
  readonly context: unknown;
  readonly queue: readonly WorkItem[];
  readonly joins: readonly CheckpointJoin[];
  /** Steps parked on signals (absent when none). */
  readonly waits?: readonly CheckpointWait[];
  readonly deadlineAt?: number;
  /** The run's output, once completed. */
  readonly output?: { readonly value: unknown };
  /** Why the run stopped, when failed. */
  readonly error?: ErrorInfo;
}
