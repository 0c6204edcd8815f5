import { ValidationError } from '../errors/errors.js';
import type { ContextOp } from '../step/step-outcome.js';
import type { AnyWorkflow } from '../workflow/workflow.js';
import type { AnyContextField, ContextFieldKind } from './context-field.js';
import { idsOf, type LoggedEvent } from './context-fields.js';

/**
 * One field's share of a committed step, in the form every engine applies it: per field, never as a
 * rewrite of the whole context.
 *
 * @remarks
 * - `counter`: `add` is the sum of the step's additions, applied as one atomic increment;
 * - `eventLog`: `append` are the step's events, each added unless its id is already in the log;
 * - `register`: `set` is the step's last write;
 * - `reducer`: `state` is the reducer folded over the state read at `expectedVersion` (the field's own
 *   version); the commit is a `conflict` when the field moved on meanwhile.
 * A `fixed` field never changes, so it never has a field commit.
 */
export type FieldCommit =
  | { readonly kind: 'counter'; readonly field: string; readonly add: number }
  | { readonly kind: 'eventLog'; readonly field: string; readonly append: readonly LoggedEvent<unknown>[] }
  | { readonly kind: 'register'; readonly field: string; readonly set: unknown }
  | {
      readonly kind: 'reducer';
      readonly field: string;
      readonly expectedVersion: number;
      readonly state: unknown;
    };

/** A reducer field's committed state and its per-field version, as the engine read it. */
export interface ReducerRead {
  readonly state: unknown;
  readonly version: number;
}

function fieldOf(workflow: AnyWorkflow, field: string): AnyContextField {
  const definition = workflow.context?.fields[field];
  if (definition === undefined) {
    throw new ValidationError(`workflow '${workflow.name}' has no context field '${field}'`);
  }
  return definition;
}

/** The kind of every context field of `workflow`, by name (empty without a context). */
export function contextLayout(workflow: AnyWorkflow): Record<string, ContextFieldKind> {
  const layout: Record<string, ContextFieldKind> = {};
  for (const [name, field] of Object.entries(workflow.context?.fields ?? {})) layout[name] = field.kind;
  return layout;
}

/**
 * Groups a step's context operations into one {@link FieldCommit} per field, in first-touch order.
 * `readReducer` gives the committed state of a reducer field the step dispatched to (only reducers need
 * the old value). Throws a ValidationError for an unknown field or an operation on a `fixed` field, and
 * whatever a reducer throws: all deterministic, so the caller fails the step.
 */
export function planFieldCommits(
  workflow: AnyWorkflow,
  ops: readonly ContextOp[],
  readReducer: (field: string) => ReducerRead,
): FieldCommit[] {
  const groups = new Map<string, ContextOp[]>();
  for (const op of ops) {
    let group = groups.get(op.field);
    if (!group) {
      fieldOf(workflow, op.field);
      group = [];
      groups.set(op.field, group);
    }
    group.push(op);
  }
  const commits: FieldCommit[] = [];
  for (const [field, group] of groups) {
    const definition = fieldOf(workflow, field);
    switch (definition.kind) {
      case 'counter': {
        let add = 0;
        for (const op of group) add += op.value as number;
        commits.push({ kind: 'counter', field, add });
        break;
      }
      case 'eventLog': {
        // A step appending the same id twice keeps the first (as a log that already holds it would).
        const seen = new Set<string>();
        const append: LoggedEvent<unknown>[] = [];
        for (const op of group) {
          const id = op.id ?? `${field}:${append.length}`;
          if (seen.has(id)) continue;
          seen.add(id);
          append.push({ id, event: op.value });
        }
        commits.push({ kind: 'eventLog', field, append });
        break;
      }
      case 'register':
        commits.push({ kind: 'register', field, set: (group[group.length - 1] as ContextOp).value });
        break;
      case 'reducer': {
        const read = readReducer(field);
        let state = read.state;
        for (const op of group) state = definition.apply(state, op);
        commits.push({ kind: 'reducer', field, expectedVersion: read.version, state });
        break;
      }
      default:
        // `fixed`: set when the run starts, never changed afterwards.
        throw new ValidationError(`context field '${field}' is fixed and cannot be changed`);
    }
  }
  return commits;
}

/**
 * Applies field commits to a context state in place, with the rules every backend follows (the local
 * engine uses it, so `wf.run` and a distributed run agree): counters add, event logs append events whose
 * id is new, registers and reducers take the new value. Reducer versions are the caller's business.
 */
export function applyFieldCommitsInPlace(
  state: Record<string, unknown>,
  commits: readonly FieldCommit[],
): void {
  for (const commit of commits) {
    switch (commit.kind) {
      case 'counter':
        state[commit.field] = ((state[commit.field] as number | undefined) ?? 0) + commit.add;
        break;
      case 'eventLog': {
        let events = state[commit.field] as LoggedEvent<unknown>[] | undefined;
        if (!Array.isArray(events)) {
          events = [];
          state[commit.field] = events;
        }
        const ids = idsOf(events);
        for (const entry of commit.append) if (!ids.has(entry.id)) events.push(entry);
        break;
      }
      case 'register':
        state[commit.field] = commit.set;
        break;
      case 'reducer':
        state[commit.field] = commit.state;
        break;
    }
  }
}
