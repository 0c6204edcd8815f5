import type { AnyWorkflow, Logger } from '@floxide/core';
import type { Backend } from '../contracts/backend.js';

/** Options of {@link DistributedWorker}. */
export interface DistributedWorkerOptions {
  readonly backend: Backend;
  /** Workflows this worker can run, routed by name and version. */
  readonly workflows: readonly AnyWorkflow[];
  /**
   * Task queues this worker serves (default: the queues of all its workflows). It leases only items of its
   * own workflows (name and version) whose `queue` is listed here; other items stay queued for a worker that
   * runs them, never bounced. A list naming none of its workflows' queues is refused at construction.
   */
  readonly queues?: readonly string[];
  /** Steps run at the same time (default 1). Leases are taken in batches of the free slots. */
  readonly concurrency?: number;
  /** Unique worker id; defaults to `${hostname}-${pid}-${random}`. */
  readonly id?: string;
  readonly logger?: Logger;
  /** Lease visibility window, extended by every heartbeat while the node runs (default 30 000). */
  readonly leaseMs?: number;
  /** Heartbeat and lease extension period (default 1 000). */
  readonly heartbeatMs?: number;
  /** How long one idle lease call waits for work before asking again (default 1 000). */
  readonly idleWaitMs?: number;
  /** Delay before an item of an unknown workflow is offered again, to any worker (default 2 000). */
  readonly unknownWorkflowDelayMs?: number;
  /**
   * How many times one attempt of a work item may be handed back because of an error the worker cannot
   * classify (anything but a corrupt record, thrown while reading the context or committing the step)
   * before the step fails with `HAND_BACK_LIMIT` (default 10, one second apart). Every hand-back leaves an
   * error record on the item, visible in `orchestrator.errors`; the count is read from those records, so
   * it holds across workers.
   */
  readonly maxHandBacks?: number;
  /**
   * Strands (default on): a step's commit leases the run's next item to this worker, which runs it at
   * once, without a queue round trip (see `StrandRequest`). `false` sends every step through the queue.
   */
  readonly strands?: boolean;
  /**
   * A strand yields its slot back to the queue after this many steps (default 64), so a long chain
   * cannot hold a slot for ever and queued runs still start.
   */
  readonly strandMaxSteps?: number;
  /** A strand yields its slot back to the queue after running this long (ms, default 500). */
  readonly strandMaxMs?: number;
  /**
   * How often a parent step parked on a child run (`subflow`) looks at the child itself (ms, default
   * 30 000). The child's result normally reaches the parent when the child finishes; this check delivers it
   * when that delivery was lost (a worker killed in between, a child failed by a deadline or retention).
   */
  readonly childCheckMs?: number;
}

/** Options of {@link DistributedWorker.close}. */
export interface CloseOptions {
  /** How long in-flight steps may take to finish before they are aborted and released (default 10 000). */
  readonly graceMs?: number;
}

/** Counters of one worker since it started. */
export interface WorkerStats {
  /** Steps executed and handed to the backend's commit. */
  readonly processed: number;
  /** Failed or retried attempts, unknown workflows and backend errors. */
  readonly errors: number;
}
