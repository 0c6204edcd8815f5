import { ValidationError } from '../errors/errors.js';
import type { AnyContextField, ContextField, OpRecorder } from './context-field.js';

/** The fields of a context, by name. */
export type ContextFields = Readonly<Record<string, AnyContextField>>;

/**
 * A workflow's typed context: named fields, each with a merge rule.
 *
 * @remarks
 * The context state is a plain JSON object `{ [field]: fieldState }`. Nodes never mutate it: they record
 * operations through `ctx.context`, and the engine applies a step's operations when the step commits.
 *
 * @example
 * ```ts
 * const OrderContext = context({ hits: counter(), status: register(z.enum(['new', 'paid'])) });
 * const wf = workflow({ name: 'order', context: OrderContext }).start(validate).build();
 * ```
 */
export interface ContextDefinition<TFields extends ContextFields = ContextFields> {
  readonly kind: 'context';
  readonly fields: TFields;
  /** Validates partial initial values and returns the full JSON state with defaults. */
  initialState(initial?: unknown): Record<string, unknown>;
  /** Builds the view a node sees over `state`, recording operations into `recorder`. */
  view(state: unknown, recorder: OpRecorder): ContextView<TFields>;
}

/** What a node sees as `ctx.context` for the given fields. */
export type ContextView<TFields extends ContextFields> = {
  readonly [K in keyof TFields]: TFields[K] extends ContextField<infer TView, any> ? TView : never;
};

/** Partial initial values accepted by `run(…, { context })` for the given definition. */
export type ContextInitial<TContext> =
  TContext extends ContextDefinition<infer TFields>
    ? { readonly [K in keyof TFields]?: TFields[K] extends ContextField<any, infer TInit> ? TInit : never }
    : Record<string, unknown>;

/** `ctx.context` for a context definition type (an untyped record when there is none). */
export type ContextViewOf<TContext> = 0 extends 1 & TContext
  ? any
  : TContext extends ContextDefinition<infer TFields>
    ? ContextView<TFields>
    : Readonly<Record<string, unknown>>;

/** Declares a workflow context from its fields. */
export function context<const TFields extends ContextFields>(fields: TFields): ContextDefinition<TFields> {
  const names = Object.keys(fields);
  return {
    kind: 'context',
    fields,
    initialState(initial) {
      if (
        initial !== undefined &&
        (typeof initial !== 'object' || initial === null || Array.isArray(initial))
      ) {
        throw new ValidationError('initial context must be an object of field values');
      }
      const given = (initial ?? {}) as Record<string, unknown>;
      for (const key of Object.keys(given)) {
        if (!Object.hasOwn(fields, key))
          throw new ValidationError(`initial context has unknown field '${key}'`);
      }
      const state: Record<string, unknown> = {};
      for (const name of names) {
        const field = fields[name] as AnyContextField;
        const value = given[name];
        state[name] = value === undefined ? field.defaultState(name) : field.parseInitial(value, name);
      }
      return state;
    },
    view(state, recorder) {
      const record = (state ?? {}) as Record<string, unknown>;
      const view: Record<string, unknown> = {};
      for (const name of names) {
        // Views are built lazily: most nodes touch one field or none.
        let cached: unknown;
        Object.defineProperty(view, name, {
          enumerable: true,
          get: () => (cached ??= (fields[name] as AnyContextField).view(record[name], name, recorder)),
        });
      }
      return view as ContextView<TFields>;
    },
  };
}
