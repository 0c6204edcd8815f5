import type { WorkItem } from '@floxide/core/engine';

/** A worker's claim on one work item. */
export interface Lease {
  readonly item: WorkItem;
  /** Opaque token proving ownership; required to extend, release or commit. */
  readonly token: string;
  readonly workerId: string;
  /** When the lease lapses unless extended (epoch ms). */
  readonly expiresAt: number;
}

/** Result of extending a lease during a heartbeat. */
export type LeaseState =
  /** Still ours; the deadline moved forward. */
  | 'active'
  /** The lease expired or another worker owns the item now; the step will commit as a duplicate. */
  | 'lost'
  /** The run was cancelled (or finished): abort the node, its commit would change nothing. */
  | 'cancelled';

/** A workflow version, as a lease filter names it. */
export interface WorkflowRef {
  readonly name: string;
  readonly version: number;
  /**
   * Most items of this workflow version leased at once across the fleet (absent: no limit). The backend's
   * claim counts the live leases of the version and takes no more than the limit allows.
   */
  readonly maxConcurrency?: number;
}

/** Options of {@link WorkQueue.lease}. */
export interface LeaseOptions {
  readonly workerId: string;
  /** Visibility deadline of each lease, from now. */
  readonly leaseMs: number;
  /** At most this many items (default 1). */
  readonly max?: number;
  /** Wait up to this long for an item when none is ready (long poll; no busy loop). Default 0. */
  readonly waitMs?: number;
  /** Aborts a waiting lease call early (worker shutdown); resolves with what was claimed so far. */
  readonly signal?: AbortSignal;
  /**
   * Only items of these workflow versions are leased (absent: any workflow). Items of other workflows stay
   * queued, untouched, for a worker that registered them: they are never leased, released or delayed by
   * this call. A worker passes the workflows it registered whose task queue it serves.
   */
  readonly workflows?: readonly WorkflowRef[];
}

/**
 * The work queue: hands work items to workers under time-limited leases.
 *
 * @remarks
 * Items are claimed atomically: one item is leased by at most one worker at a time. An expired or
 * released lease makes the item visible again. Items of runs that are paused, failed, cancelled or
 * completed are never handed out (they wait, or are dropped for cancelled runs). Delayed items (retries)
 * are durable and become visible only after their time. Enqueueing is idempotent by `(itemId, attempt)`.
 * Ordering: FIFO by ready time is best effort, not guaranteed.
 *
 * @example
 * ```ts
 * const [lease] = await backend.queue.lease({ workerId: 'w1', leaseMs: 30_000, waitMs: 1_000 });
 * if (lease) await backend.queue.extend(lease, 30_000);
 * ```
 */
export interface WorkQueue {
  /**
   * Adds items, visible after `delayMs` (default 0). Idempotent: an item whose `(itemId, attempt)` is
   * already queued, leased or committed is not added again. Used by the backend's own start and commit;
   * workers and orchestrators rarely call it directly.
   */
  enqueue(items: readonly WorkItem[], options?: { delayMs?: number }): Promise<void>;
  /** Claims up to `max` ready items atomically, marking their state `running` and counting the attempt. */
  lease(options: LeaseOptions): Promise<Lease[]>;
  /**
   * Moves the lease deadline to now + `leaseMs`. Returns `'lost'` when the lease is no longer ours,
   * `'cancelled'` when the run was cancelled or finished. Never throws for a missing item.
   */
  extend(lease: Lease, leaseMs: number): Promise<LeaseState>;
  /**
   * Gives the item back without committing a step: visible again after `delayMs` (default 0), same
   * attempt. A lost lease makes this a no-op.
   */
  release(lease: Lease, options?: { delayMs?: number }): Promise<void>;
  /** Removes every queued (not leased) item of the run; returns how many. Missing run: 0. */
  purgeRun(runId: string): Promise<number>;
  /** Items of the run that are queued, delayed or leased (not committed). Missing run: empty. */
  pending(runId: string): Promise<WorkItem[]>;
}
