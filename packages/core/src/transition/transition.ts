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
  NextTransition<TOutput> | NextAllTransition<TOutput> | HoldTransition | AbortTransition;

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
