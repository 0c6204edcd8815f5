import { ValidationError } from '../errors/errors.js';
import type { ContextOp } from '../step/step-outcome.js';
import type { AnyWorkflow } from '../workflow/workflow.js';
import type { AnyContextField } from './context-field.js';

function fieldOf(workflow: AnyWorkflow, op: ContextOp): AnyContextField {
  const field = workflow.context?.fields[op.field];
  if (field === undefined) {
    throw new ValidationError(`workflow '${workflow.name}' has no context field '${op.field}'`);
  }
  return field;
}

/**
 * Applies a committed step's context operations to a context state and returns the new state.
 * Pure: `state` is not modified. An eventLog append whose id is already in the log changes nothing.
 */
export function applyContextOps(workflow: AnyWorkflow, state: unknown, ops: readonly ContextOp[]): unknown {
  if (ops.length === 0) return state;
  const next: Record<string, unknown> = { ...(state as Record<string, unknown>) };
  for (const op of ops) next[op.field] = fieldOf(workflow, op).apply(next[op.field], op);
  return next;
}
