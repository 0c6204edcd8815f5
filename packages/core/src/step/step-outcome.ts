import type { JoinArrival, WorkItem } from './work-item.js';

/** A serialisable summary of an error, as stored in error records and run info. */
export interface ErrorInfo {
  readonly name: string;
  readonly code: string;
  readonly message: string;
  /**
   * The stack of an `Error` a node threw (never of Floxide's own errors), at most
   * {@link MAX_ERROR_STACK_CHARS} characters: what the error itself carried, nothing added. Every backend
   * keeps it wherever it keeps the error: the error records (`errors.list`), the run's error
   * (`runs.get`), the item's last error (`items.get`) and the step's events.
   */
  readonly stack?: string;
}

/** The longest stack an {@link ErrorInfo} keeps (a deep stack is cut, keeping its first frames). */
export const MAX_ERROR_STACK_CHARS = 4_000;

/** One recorded context operation; applied by the engine when the step commits, never before. */
export interface ContextOp {
  /** Context field name. */
  readonly field: string;
  readonly op: 'append' | 'add' | 'set' | 'dispatch';
  readonly value: unknown;
  /** Idempotency id (eventLog appends): an event whose id is already in the log is not added again. */
  readonly id?: string;
}

/** The node succeeded (next, nextAll or hold): what the step produced. */
export interface AdvanceOutcome {
  readonly kind: 'advance';
  readonly transition: 'next' | 'nextAll' | 'hold' | 'waitFor';
  /** New work items for successors (join-bound outputs are in `joins` instead). */
  readonly successors: readonly WorkItem[];
  /** Outputs arriving at a join. */
  readonly joins: readonly JoinArrival[];
  /** Present when the node is terminal: the run's output. First terminal output wins. */
  readonly output?: { readonly value: unknown };
  readonly contextOps: readonly ContextOp[];
  readonly durationMs: number;
  /**
   * A durable timer (`Transition.next(value, { delayMs })`): the successors and join items this step
   * enqueues become visible `delayMs` after the commit, by the backend's clock. Absent: at once.
   */
  readonly delayMs?: number;
  /**
   * A durable timer with a due time (`Transition.next(value, { at })`, epoch ms): the successors become
   * visible at `dueAt` (the backend's clock), at once if it has passed. Never present with `delayMs`.
   */
  readonly dueAt?: number;
  /**
   * Present when the step parks on `Transition.waitFor`: it enqueues nothing, its context changes are not
   * applied, and the item waits (without a lease) for the signal `wait.name`.
   */
  readonly wait?: StepWait;
}

/** A step parked on a signal (see {@link AdvanceOutcome.wait}). */
export interface StepWait {
  readonly name: string;
  /** Wait at most this long (ms, from the park); absent: no timeout. */
  readonly timeoutMs?: number;
  /**
   * The item had the signal delivered, but its payload failed the `waitFor` schema: the step stays parked
   * and this says why the payload was refused (a `VALIDATION` error).
   */
  readonly refused?: ErrorInfo;
}

/** The attempt failed and the retry policy allows another one, after `delayMs`. */
export interface RetryOutcome {
  readonly kind: 'retry';
  readonly error: ErrorInfo;
  readonly delayMs: number;
  /** The same item with `attempt + 1`; a durable delayed item in distributed runs. */
  readonly retryItem: WorkItem;
  readonly durationMs: number;
}

/**
 * The node failed for good (retries exhausted, not retryable, timeout, deadline, cancel).
 * With `fallback` items the run goes on along the on-failure edge; with none the item is dead and the run
 * fails (unless `runError` says why it failed otherwise, e.g. deadline or cancel).
 */
export interface FailedOutcome {
  readonly kind: 'failed';
  readonly error: ErrorInfo;
  readonly fallback: readonly WorkItem[];
  readonly durationMs: number;
}

/** What executing one work item produced. Backends commit it atomically; the local engine applies it. */
export type StepOutcome = AdvanceOutcome | RetryOutcome | FailedOutcome;
