import type { Schema } from '../schema/schema.js';

/** Brand that marks a value as a transition, so an output that merely has a `type` field is not one. */
export const transitionBrand: unique symbol = Symbol.for('floxide.transition') as never;

/**
 * A durable timer on a transition: its successors start no earlier than `delayMs` after the step commits,
 * or no earlier than `at`. Distributed, the successors are delayed items in the backend (no lease, no worker
 * slot; they survive restarts) and the backend's clock decides when they are due.
 */
export type TimerOptions = { readonly delayMs: number } | { readonly at: Date };

/** One output, sent to every successor. */
export interface NextTransition<TOutput> {
  readonly [transitionBrand]: true;
  readonly type: 'next';
  readonly output: TOutput;
  /** When the successors are due, if later than now (see {@link TimerOptions}). */
  readonly timer?: TimerOptions;
}

/** Fan-out: each output is sent to every successor (output-major order). */
export interface NextAllTransition<TOutput> {
  readonly [transitionBrand]: true;
  readonly type: 'nextAll';
  readonly outputs: readonly TOutput[];
  /** When the successors are due, if later than now (see {@link TimerOptions}). */
  readonly timer?: TimerOptions;
}

/** Consume the item and emit nothing. */
export interface HoldTransition {
  readonly [transitionBrand]: true;
  readonly type: 'hold';
}

/** Fail this step: the on-failure edge runs if there is one, else the run fails. */
export interface AbortTransition {
  readonly [transitionBrand]: true;
  readonly type: 'abort';
  readonly error: Error;
}

/** Options of {@link Transition.waitFor}. */
export interface WaitForOptions<TPayload> {
  /**
   * How long to wait (ms, from the step that parks): past it the step fails with `SignalTimeoutError`, so
   * the node's on-failure edge runs, or the run fails. No timeout when omitted.
   */
  readonly timeoutMs?: number;
  /** Any Standard Schema: validates the signal's payload (a `ValidationError` otherwise). */
  readonly schema?: Schema<TPayload>;
}

/**
 * Park this step until the signal `name` arrives; the node's successors then receive the signal's payload
 * (validated by `schema`) as their input, in place of an output of the node.
 */
export interface WaitForTransition<TPayload> {
  readonly [transitionBrand]: true;
  readonly type: 'waitFor';
  readonly name: string;
  readonly timeoutMs?: number;
  readonly schema?: Schema<TPayload>;
}

/**
 * What a node returns to say where the run goes next.
 *
 * @remarks
 * A node may also return a plain value, which means `Transition.next(value)`, or throw, which means
 * `Transition.abort(error)`. Transitions are branded objects created by the {@link Transition}
 * constructors, so a node output like `{ type: 'next' }` is still treated as a plain value.
 *
 * @example
 * ```ts
 * const fan = node({ name: 'fan', process: (n: number) => Transition.nextAll([n, n + 1]) });
 * ```
 */
export type Transition<TOutput> =
  | NextTransition<TOutput>
  | NextAllTransition<TOutput>
  | HoldTransition
  | AbortTransition
  | WaitForTransition<TOutput>;

/** Constructors of {@link Transition}s. */
export const Transition = {
  /**
   * One output, sent to every successor; with `timer`, the successors are due after `delayMs` or at `at`
   * (a durable timer: see {@link TimerOptions}).
   */
  next<TOutput>(output: TOutput, timer?: TimerOptions): NextTransition<TOutput> {
    return timer === undefined
      ? { [transitionBrand]: true, type: 'next', output }
      : { [transitionBrand]: true, type: 'next', output, timer };
  },
  /** Each output to every successor (M outputs × N successors work items); `timer` as for `next`. */
  nextAll<TOutput>(outputs: readonly TOutput[], timer?: TimerOptions): NextAllTransition<TOutput> {
    return timer === undefined
      ? { [transitionBrand]: true, type: 'nextAll', outputs }
      : { [transitionBrand]: true, type: 'nextAll', outputs, timer };
  },
  /** Consume the item, emit nothing. */
  hold(): HoldTransition {
    return { [transitionBrand]: true, type: 'hold' };
  },
  /**
   * Wait for the signal `name` without holding anything: the step parks and its successors receive the
   * signal's payload. The node runs again, with the same input, when the signal is delivered (its context
   * changes of the parking attempt are dropped), and the `waitFor` it returns then resolves to the payload;
   * keep the work before a `waitFor` idempotent. See the package README ("Signals").
   */
  waitFor<TPayload = unknown>(
    name: string,
    options: WaitForOptions<TPayload> = {},
  ): WaitForTransition<TPayload> {
    return {
      [transitionBrand]: true,
      type: 'waitFor',
      name,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.schema === undefined ? {} : { schema: options.schema }),
    };
  },
  /** Fail this step with `error`. */
  abort(error: Error): AbortTransition {
    return { [transitionBrand]: true, type: 'abort', error };
  },
} as const;

/** True when `value` was created by a {@link Transition} constructor. */
export function isTransition(value: unknown): value is Transition<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[transitionBrand] === true
  );
}
