import { SignalTimeoutError } from '../errors/errors.js';
import { toErrorInfo } from '../errors/error-info.js';
import type { AnyWorkflow } from '../workflow/workflow.js';
import { makeItem } from './advance.js';
import { deriveItemId } from './item-id.js';
import type { FailedOutcome } from './step-outcome.js';
import type { WorkItem } from './work-item.js';

/** The failure of a step whose wait for a signal timed out, with the error it fails with. */
export interface SignalTimeout {
  readonly outcome: FailedOutcome;
  readonly error: SignalTimeoutError;
}

/**
 * The step parked on signal `name` timed out: a {@link FailedOutcome} with a `SignalTimeoutError` (never
 * retried) whose fallback items are the node's on-failure successors, made exactly as a failed attempt
 * makes them (same ids, the item's input).
 */
export function signalTimeout(workflow: AnyWorkflow, item: WorkItem, name: string): SignalTimeout {
  const error = new SignalTimeoutError(
    `node '${item.node}' of run '${item.runId}' waited for signal '${name}' past its timeout`,
  );
  const targets = workflow.fallbacks.get(item.node) ?? [];
  const fallback = targets.map((target, j) =>
    makeItem(item, deriveItemId(item.itemId, `fallback:${j}`), target, item.input, item.branches),
  );
  return { outcome: { kind: 'failed', error: toErrorInfo(error), fallback, durationMs: 0 }, error };
}
