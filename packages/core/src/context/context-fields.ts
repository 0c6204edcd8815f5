import { ValidationError } from '../errors/errors.js';
import { parseSchema, type Schema } from '../schema/schema.js';
import type { ContextOp } from '../step/step-outcome.js';
import { pendingOps, type ContextField } from './context-field.js';

/** One event of an {@link eventLog} field as stored: its idempotency id and the event. */
export interface LoggedEvent<TEvent> {
  readonly id: string;
  readonly event: TEvent;
}

/** Node view of an {@link eventLog} field. */
export interface EventLogView<TEvent> {
  /** The events, committed ones first, then this step's own appends. */
  readonly values: readonly TEvent[];
  /** The events with their ids. */
  readonly entries: readonly LoggedEvent<TEvent>[];
  /** Records an append; `id` defaults to one derived from the item id, so a retried attempt does not duplicate it. */
  append(event: TEvent, id?: string): void;
}

/** Node view of a {@link counter} field. */
export interface CounterView {
  /** The committed value plus this step's own additions. */
  readonly value: number;
  /** Records an addition (default 1); additions from parallel branches all count. */
  add(amount?: number): void;
}

/** Node view of a {@link fixed} field. */
export interface FixedView<TValue> {
  /** The value set when the run started. */
  readonly value: TValue;
}

/** Node view of a {@link register} field. */
export interface RegisterView<TValue> {
  /** The last committed (or own pending) value; `undefined` when never set. */
  readonly value: TValue | undefined;
  /** Records a write; the last committed write wins. */
  set(value: TValue): void;
}

/** Node view of a {@link reducer} field. */
export interface ReducerView<TState, TOp> {
  /** The committed state folded with this step's own pending operations. */
  readonly value: TState;
  /** Records an operation; the reducer folds it in when the step commits. */
  dispatch(op: TOp): void;
}

function parseWith<T>(schema: Schema<T>, value: unknown, what: string): T {
  return parseSchema(schema, value, what);
}

/** The ids of an event log and how many of its events they cover. */
interface EventIds {
  readonly ids: Set<string>;
  covered: number;
}

const eventIndex = new WeakMap<readonly LoggedEvent<unknown>[], EventIds>();

/**
 * The ids of `events`. Event logs only ever grow at the end (a distributed worker's log cache appends the
 * events other steps committed), so the index catches up by indexing the new tail: amortised O(1).
 */
export function idsOf(events: readonly LoggedEvent<unknown>[]): Set<string> {
  let index = eventIndex.get(events);
  if (!index) {
    index = { ids: new Set(), covered: 0 };
    eventIndex.set(events, index);
  }
  for (; index.covered < events.length; index.covered += 1) {
    index.ids.add((events[index.covered] as LoggedEvent<unknown>).id);
  }
  return index.ids;
}

/** An append-only event log; an event whose id is already present is ignored (idempotent appends). */
export function eventLog<TEvent>(
  schema: Schema<TEvent>,
): ContextField<EventLogView<TEvent>, readonly TEvent[]> {
  return {
    kind: 'eventLog',
    defaultState: () => [],
    parseInitial(value, field) {
      if (!Array.isArray(value))
        throw new ValidationError(`context field '${field}' expects an array of events`);
      return value.map((event, i) => ({
        id: `initial:${i}`,
        event: parseWith(schema, event, `context field '${field}'`),
      }));
    },
    apply(state, op) {
      const events = state as LoggedEvent<unknown>[];
      if (op.id !== undefined && idsOf(events).has(op.id)) return events;
      const next = events.slice();
      next.push({ id: op.id ?? `anon:${events.length}`, event: op.value });
      return next;
    },
    applyInPlace(state, op) {
      const events = state as LoggedEvent<unknown>[];
      const id = op.id ?? `anon:${events.length}`;
      if (idsOf(events).has(id)) return events;
      events.push({ id, event: op.value });
      return events;
    },
    view(state, field, recorder) {
      const base = state as readonly LoggedEvent<TEvent>[];
      const entries = (): LoggedEvent<TEvent>[] => {
        const pending = pendingOps(recorder, field);
        if (pending.length === 0) return base.slice();
        const ids = new Set(idsOf(base));
        const out = base.slice();
        for (const op of pending) {
          const id = op.id ?? '';
          if (ids.has(id)) continue;
          ids.add(id);
          out.push({ id, event: op.value as TEvent });
        }
        return out;
      };
      return {
        get values() {
          return entries().map((e) => e.event);
        },
        get entries() {
          return entries();
        },
        append(event, id) {
          const value = parseWith(schema, event, `context field '${field}'`);
          recorder.ops.push({
            field,
            op: 'append',
            value,
            id: id ?? `${recorder.itemId}:${recorder.nextSeq()}`,
          });
        },
      };
    },
  };
}

/** A number to which parallel branches add; additions commute, so none is lost. */
export function counter(options: { readonly initial?: number } = {}): ContextField<CounterView, number> {
  const toNumber = (value: unknown, field: string): number => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ValidationError(`context field '${field}' expects a finite number`);
    }
    return value;
  };
  const add = (state: unknown, op: ContextOp): number => (state as number) + (op.value as number);
  return {
    kind: 'counter',
    defaultState: () => options.initial ?? 0,
    parseInitial: toNumber,
    apply: add,
    applyInPlace: add,
    view(state, field, recorder) {
      return {
        get value() {
          let total = state as number;
          for (const op of pendingOps(recorder, field)) total += op.value as number;
          return total;
        },
        add(amount = 1) {
          recorder.ops.push({ field, op: 'add', value: toNumber(amount, field) });
        },
      };
    },
  };
}

/** A value set when the run starts and read-only afterwards (configuration, expected counts). */
export function fixed<TValue>(
  schema: Schema<TValue>,
  options: { readonly default?: TValue } = {},
): ContextField<FixedView<TValue>, TValue> {
  return {
    kind: 'fixed',
    defaultState(field) {
      if (options.default === undefined)
        throw new ValidationError(`context field '${field}' (fixed) needs an initial value`);
      return options.default;
    },
    parseInitial: (value, field) => parseWith(schema, value, `context field '${field}'`),
    apply(state, op) {
      throw new ValidationError(`context field '${op.field}' is fixed and cannot be changed`);
    },
    applyInPlace(state, op) {
      throw new ValidationError(`context field '${op.field}' is fixed and cannot be changed`);
    },
    view: (state) => ({ value: state as TValue }),
  };
}

/** A single value; the last committed `set` wins. */
export function register<TValue>(
  schema: Schema<TValue>,
  options: { readonly initial?: TValue } = {},
): ContextField<RegisterView<TValue>, TValue> {
  const set = (_state: unknown, op: ContextOp): unknown => op.value;
  return {
    kind: 'register',
    defaultState: () => options.initial ?? null,
    parseInitial: (value, field) => parseWith(schema, value, `context field '${field}'`),
    apply: set,
    applyInPlace: set,
    view(state, field, recorder) {
      return {
        get value() {
          const pending = pendingOps(recorder, field);
          const last = pending[pending.length - 1];
          const value = last === undefined ? state : last.value;
          return value === null ? undefined : (value as TValue);
        },
        set(value) {
          recorder.ops.push({
            field,
            op: 'set',
            value: parseWith(schema, value, `context field '${field}'`),
          });
        },
      };
    },
  };
}

/**
 * A state folded from dispatched operations by a pure function `(state, op) => state` (Floxide's `Merge`).
 * The reducer must not mutate `state`.
 */
export function reducer<TState, TOp>(
  schema: Schema<TState>,
  reduce: (state: TState, op: TOp) => TState,
  options: { readonly initial: TState },
): ContextField<ReducerView<TState, TOp>, TState> {
  const apply = (state: unknown, op: ContextOp): unknown => reduce(state as TState, op.value as TOp);
  return {
    kind: 'reducer',
    defaultState: () => options.initial,
    parseInitial: (value, field) => parseWith(schema, value, `context field '${field}'`),
    apply,
    applyInPlace: apply,
    view(state, field, recorder) {
      return {
        get value() {
          let current = state as TState;
          for (const op of pendingOps(recorder, field)) current = reduce(current, op.value as TOp);
          return current;
        },
        dispatch(op) {
          recorder.ops.push({ field, op: 'dispatch', value: op });
        },
      };
    },
  };
}
