import type { ContextOp } from '../step/step-outcome.js';

/** The kinds of context field, each with its own merge rule. */
export type ContextFieldKind = 'eventLog' | 'counter' | 'fixed' | 'register' | 'reducer';

/** What a field's view needs to record operations for the running step. */
export interface OpRecorder {
  /** Operations recorded so far by this step attempt, in order. */
  readonly ops: ContextOp[];
  /** Item id of the running step, used to derive idempotent event ids. */
  readonly itemId: string;
  /** Next per-step sequence number (for default event ids). */
  nextSeq(): number;
}

/**
 * One typed field of a workflow context, with its merge rule.
 *
 * @remarks
 * The state of a field is plain JSON. A node reads it through a view and records operations; the engine
 * applies the operations with {@link ContextField.apply} when the step commits, so a failed attempt leaves
 * no trace. `TView` is what nodes see, `TInitial` what run options may pass as the initial value.
 *
 * @example
 * ```ts
 * const Ctx = context({ hits: counter(), seen: eventLog(z.string()) });
 * ```
 */
export interface ContextField<TView, TInitial> {
  readonly kind: ContextFieldKind;
  /** The state of a field the run options did not set; throws a ValidationError when a value is required. */
  defaultState(field: string): unknown;
  /** Validates a user-supplied initial value and returns the field's JSON state. */
  parseInitial(value: unknown, field: string): unknown;
  /** Returns the state after `op` (pure: never mutates `state`). */
  apply(state: unknown, op: ContextOp): unknown;
  /**
   * Applies `op` and returns the new state, reusing (mutating) `state` where that avoids a copy; the local
   * engine uses it so that N appends cost O(N), not O(N²).
   */
  applyInPlace(state: unknown, op: ContextOp): unknown;
  /** The view a node sees, over `state` plus the step's own pending operations. */
  view(state: unknown, field: string, recorder: OpRecorder): TView;
  /** Type-level only. */
  readonly __types?: { view: TView; initial: TInitial };
}

/** Any context field. */
export type AnyContextField = ContextField<any, any>;

/** The pending operations of `field` recorded so far. */
export function pendingOps(recorder: OpRecorder, field: string): ContextOp[] {
  const out: ContextOp[] = [];
  for (const op of recorder.ops) if (op.field === field) out.push(op);
  return out;
}
