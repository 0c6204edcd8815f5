/**
 * One frame of a fan-out that a join waits on. Items produced by a `nextAll` whose node is the `from` of a
 * join carry a frame; items derived from them inherit it, until they arrive at the join.
 */
export interface BranchFrame {
  /** Item id of the fan-out step that produced the branch. */
  readonly fanOutItemId: string;
  /** Name of the join node that collects this fan-out. */
  readonly join: string;
  /** Position of this branch in fan-out order (output index × successor count + successor index). */
  readonly index: number;
  /** Number of branches the join waits for. */
  readonly total: number;
}

/**
 * A unit of work: one node's input within one run. Plain JSON, so any backend can store it.
 *
 * @remarks
 * `itemId` is deterministic: a successor's id derives from its parent's id and position, so committing
 * the same step twice yields the same ids and backends can deduplicate by id. A retry keeps the item id
 * and increments `attempt`; `(itemId, attempt)` identifies one commit.
 */
export interface WorkItem {
  readonly itemId: string;
  readonly runId: string;
  /** Workflow name and version this item belongs to; workers route by both. */
  readonly workflow: string;
  readonly version: number;
  /** Name of the node to run. */
  readonly node: string;
  /** JSON input of the node. */
  readonly input: unknown;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Fan-out frames this item belongs to, outermost first. */
  readonly branches: readonly BranchFrame[];
  /** Absolute run deadline (epoch ms), copied from the run so workers need no extra read. */
  readonly deadlineAt?: number;
  /**
   * The run's priority (an integer from -1000 to 1000; absent means 0), copied to every item of the run:
   * backends lease items of higher priority first.
   */
  readonly priority?: number;
  /**
   * A signal delivered to this item's node, which parked on `Transition.waitFor(name)`: the node runs again
   * and its `waitFor(name)` resolves to `payload` (see {@link DeliveredSignal}).
   */
  readonly delivered?: DeliveredSignal;
  /**
   * The W3C trace context of the step that produced this item (or of the span a run was started in), so a
   * tracer (`StepTracing` in `@floxide/dashboard/tracing`) makes this item's span a child of it, whichever
   * process runs it. Absent unless a tracer set it; the engine never reads it, backends store it as is.
   */
  readonly trace?: ItemTraceContext;
  /**
   * Set by a distributed backend on the item of a step parked on `Transition.waitFor` (see
   * {@link ParkedWait}): the item waits, without a lease, for a signal (which replaces this field with
   * `delivered`) or for its timeout. A worker leasing an item that still carries it runs no node: the wait
   * timed out (or the run deadline passed) and the step fails with `SignalTimeoutError`.
   */
  readonly parked?: ParkedWait;
  /**
   * Attempts of this item spent parking on a signal and receiving it (distributed backends count each as an
   * attempt): the retry policy counts `attempt - waitAttempts`, so a wait costs the node none of its retries.
   */
  readonly waitAttempts?: number;
}

/** A W3C Trace Context (https://www.w3.org/TR/trace-context/) carried by a work item. */
export interface ItemTraceContext {
  /** The `traceparent` header value: `00-<trace id>-<parent span id>-<flags>`. */
  readonly traceparent: string;
  /** The `tracestate` header value, when the parent span had one. */
  readonly tracestate?: string;
}

/** What a parked item waits for (see {@link WorkItem.parked}). */
export interface ParkedWait {
  /** The signal name. */
  readonly name: string;
  /** When the wait times out (epoch ms, the backend's clock); absent: never. */
  readonly timeoutAt?: number;
}

/** A signal handed to a parked step: its name and its JSON payload. */
export interface DeliveredSignal {
  readonly name: string;
  readonly payload: unknown;
}

/**
 * A branch reaching a join. The committer stores `value` at `index` under `joinItem.itemId`; when all
 * `total` values are present it enqueues `joinItem` with the values, in index order, as its input.
 */
export interface JoinArrival {
  readonly joinItem: Omit<WorkItem, 'input'>;
  readonly index: number;
  readonly total: number;
  readonly value: unknown;
}
