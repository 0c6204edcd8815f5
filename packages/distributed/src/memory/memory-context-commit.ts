import { applyFieldCommitsInPlace, type FieldCommit } from '@floxide/core/engine';
import type { ContextCommit } from '../contracts/backend.js';
import { copy, type RunRecord } from './memory-state.js';

/** True when every reducer field the commit changes is still at the version the worker read. */
export function reducersCurrent(run: RunRecord, commit: ContextCommit): boolean {
  for (const field of commit.fields) {
    if (field.kind !== 'reducer') continue;
    if ((run.context.fieldVersions.get(field.field) ?? 0) !== field.expectedVersion) return false;
  }
  return true;
}

/**
 * Applies a step's field commits to the run's context in place (the core rules every backend follows):
 * O(size of the step's changes), whatever the size of the context. Values are copied in, so the caller
 * mutating its objects later never changes the store.
 */
export function applyContextCommit(run: RunRecord, commit: ContextCommit): void {
  const owned: FieldCommit[] = commit.fields.map((field) => {
    switch (field.kind) {
      case 'eventLog':
        return { ...field, append: field.append.map((e) => ({ id: e.id, event: copy(e.event) })) };
      case 'register':
        return { ...field, set: copy(field.set) };
      case 'reducer':
        return { ...field, state: copy(field.state) };
      default:
        return field;
    }
  });
  applyFieldCommitsInPlace(run.context.state, owned);
  for (const field of owned) {
    if (field.kind === 'reducer') run.context.fieldVersions.set(field.field, field.expectedVersion + 1);
  }
  run.context.version += 1;
}
