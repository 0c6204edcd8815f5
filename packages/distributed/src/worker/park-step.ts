import {
  DeadlineExceededError,
  isFloxideError,
  WorkflowDefinitionError,
  type AnyWorkflow,
  type Logger,
} from '@floxide/core';
import { signalTimeout, toErrorInfo, type StepOutcome, type StepWait } from '@floxide/core/engine';
import type { Backend } from '../contracts/backend.js';
import type { ParkResult } from '../contracts/signal-store.js';
import type { Lease } from '../contracts/work-queue.js';
import { Backoff, sleep } from './sleep.js';

const PARK_ATTEMPTS = 5;

/**
 * Parks a step that returned `Transition.waitFor` (see `SignalStore.park`); a backend without signals gets
 * the failed outcome to commit instead, so the run fails visibly rather than hold the item. A rejected park
 * (run cancelled or finished) hands the item back, like a rejected commit.
 */
export async function parkStep(
  backend: Backend,
  logger: Logger,
  workflow: AnyWorkflow,
  lease: Lease,
  wait: StepWait,
): Promise<{ readonly unsupported: StepOutcome } | { readonly parked: ParkResult }> {
  const item = lease.item;
  const signals = backend.signals;
  if (!signals) {
    const error = new WorkflowDefinitionError(workflow.name, [
      `node '${item.node}' returned Transition.waitFor('${wait.name}'), but this backend stores no signals`,
    ]);
    logger.error('a node waits for a signal on a backend without signals; failing the step', {
      runId: item.runId,
      itemId: item.itemId,
      error: toErrorInfo(error),
    });
    return { unsupported: { kind: 'failed', error: toErrorInfo(error), fallback: [], durationMs: 0 } };
  }
  const backoff = new Backoff(50, 1_000);
  for (let attempt = 1; ; attempt += 1) {
    try {
      // Idempotent by (itemId, attempt): a retried park whose first try was recorded is a duplicate.
      const parked = await signals.park({
        lease,
        name: wait.name,
        ...(wait.timeoutMs === undefined ? {} : { timeoutMs: wait.timeoutMs }),
        ...(wait.refused === undefined ? {} : { refused: wait.refused }),
        at: Date.now(),
      });
      if (parked.status === 'rejected') await backend.queue.release(lease);
      logger.debug('step parked on a signal', {
        runId: item.runId,
        itemId: item.itemId,
        signal: wait.name,
        status: parked.status,
      });
      return { parked };
    } catch (error) {
      if (!isFloxideError(error) || !error.retryable || attempt >= PARK_ATTEMPTS) throw error;
      logger.warn('park failed, retrying', { itemId: item.itemId, error: toErrorInfo(error) });
      await sleep(backoff.next());
    }
  }
}

/**
 * What a leased parked item (`item.parked` without a delivered signal) commits: its wait timed out, so the
 * step fails with `SignalTimeoutError` along the node's on-failure edge, or with `DeadlineExceededError` (no
 * fallback) when the run deadline passed first. `undefined` when neither is due yet (the item was made
 * visible early, e.g. by a resume): the caller hands it back until its due time.
 */
export function parkedOutcome(
  workflow: AnyWorkflow,
  lease: Lease,
  now: number,
): { readonly outcome: StepOutcome } | { readonly dueInMs: number } {
  const item = lease.item;
  const parked = item.parked;
  if (parked === undefined) throw new Error('parkedOutcome needs a parked item');
  if (item.deadlineAt !== undefined && now >= item.deadlineAt) {
    const error = new DeadlineExceededError(
      `run deadline passed while node '${item.node}' waited for signal '${parked.name}'`,
    );
    return { outcome: { kind: 'failed', error: toErrorInfo(error), fallback: [], durationMs: 0 } };
  }
  if (parked.timeoutAt !== undefined && now >= parked.timeoutAt) {
    return { outcome: signalTimeout(workflow, item, parked.name).outcome };
  }
  const due = Math.min(parked.timeoutAt ?? Infinity, item.deadlineAt ?? Infinity);
  return { dueInMs: Number.isFinite(due) ? due - now : Number.MAX_SAFE_INTEGER };
}
