import {
  completeJoin,
  type AdvanceOutcome,
  type FailedOutcome,
  type RetryOutcome,
} from '@floxide/core/engine';
import type { ErrorInfo } from '@floxide/core';
import type { CommitResult, StepCommit } from '../contracts/backend.js';
import type { Lease } from '../contracts/work-queue.js';
import { applyContextCommit, reducersCurrent } from './memory-context-commit.js';
import { grantLease } from './memory-lease.js';
import { refreshWaits } from './memory-signals.js';
import { commitKey, copy, isFinished, type MemoryState, type RunRecord } from './memory-state.js';

/**
 * Records one step against the memory state, synchronously (hence atomically), following
 * {@link Backend.commit}: idempotency by `(itemId, attempt)`, rejection for finished runs, context
 * changes per field, successors, joins, output, retries, failures, metrics, events and lease release.
 */
export function commitStep(state: MemoryState, step: StepCommit): CommitResult {
  const item = step.lease.item;
  const run = state.runs.get(item.runId);
  // A run that vanished (backend cleared) has nothing to record into: same as a finished run.
  if (!run) return { status: 'rejected', runStatus: 'cancelled' };
  if (run.committed.has(commitKey(item.itemId, item.attempt))) return { status: 'duplicate' };
  if (isFinished(run.info.status)) return { status: 'rejected', runStatus: run.info.status };
  if (step.context && step.context.fields.length > 0) {
    if (!reducersCurrent(run, step.context)) return { status: 'conflict' };
    applyContextCommit(run, step.context);
  }

  run.committed.add(commitKey(item.itemId, item.attempt));
  const entry = run.queue.get(item.itemId);
  // No entry means the item is no longer outstanding (never happens through lease + commit); leave the
  // counter alone rather than let it drift.
  if (entry && entry.item.attempt === item.attempt) state.removeEntry(run, entry);

  const at = step.at;
  const outcome = step.outcome;
  if (outcome.kind !== 'advance') recordError(run, step, outcome.error);
  // Visibility uses the backend's own clock: a worker's clock skew must not shorten a retry delay.
  const now = state.now();
  // `waitingUntil` names the timer the run's latest commit set (commitAdvance sets it again if this one does).
  delete run.info.waitingUntil;
  let next: string | undefined;
  if (outcome.kind === 'advance') next = commitAdvance(state, run, step, outcome, now);
  else if (outcome.kind === 'retry') commitRetry(state, run, step, outcome, now);
  else commitFailed(state, run, step, outcome, now);
  state.checkDrained(run, at);
  // A branch that ends here may leave only parked items: the run is then `waiting`.
  refreshWaits(state, run, at);
  const lease = step.strand && next !== undefined ? continueStrand(state, run, step, next, now) : undefined;
  return { status: 'committed', runStatus: run.info.status, ...(lease ? { next: lease } : {}) };
}

/**
 * Leases the strand's next item to the committing worker (see `StrandRequest`): only while the run
 * is `running`, so a pause, cancel or failure seen by this commit ends the strand here.
 */
function continueStrand(
  state: MemoryState,
  run: RunRecord,
  step: StepCommit,
  itemId: string,
  now: number,
): Lease | undefined {
  if (!step.strand || run.info.status !== 'running') return undefined;
  const entry = run.queue.get(itemId);
  if (!entry || entry.state !== 'ready' || entry.visibleAt > now) return undefined;
  return grantLease(state, run, entry, { workerId: step.lease.workerId, leaseMs: step.strand.leaseMs }, now);
}

function setItemState(
  run: RunRecord,
  step: StepCommit,
  status: 'completed' | 'failed' | 'waiting-retry' | 'dead',
): void {
  const item = step.lease.item;
  const record = run.items.get(item.itemId);
  if (!record) return;
  record.state.status = status;
  record.state.attempts = Math.max(record.state.attempts, item.attempt);
  if (step.outcome.kind !== 'advance') record.state.lastError = step.outcome.error;
}

function recordError(run: RunRecord, step: StepCommit, error: ErrorInfo): void {
  const item = step.lease.item;
  run.errors.push({
    runId: item.runId,
    itemId: item.itemId,
    node: item.node,
    attempt: item.attempt,
    error: copy(error),
    at: step.at,
  });
}

function commitAdvance(
  state: MemoryState,
  run: RunRecord,
  step: StepCommit,
  outcome: AdvanceOutcome,
  now: number,
): string | undefined {
  const item = step.lease.item;
  const at = step.at;
  setItemState(run, step, 'completed');
  run.metrics.completed += 1;
  state.addTiming(run, item.node, outcome.durationMs);
  state.event(run, {
    at,
    type: 'step.committed',
    itemId: item.itemId,
    node: item.node,
    attempt: item.attempt,
  });
  if (outcome.output !== undefined) {
    // First terminal output wins; the run is finished, so nothing else of this step matters.
    state.completeRun(run, outcome.output.value, at);
    return undefined;
  }
  // A durable timer delays what this step enqueues (successors and a join item it completes).
  const delayMs = timerDelay(outcome, now);
  if (delayMs > 0 && (outcome.successors.length > 0 || outcome.joins.length > 0))
    run.info.waitingUntil = now + delayMs;
  // The strand continues with the first successor, else with the first join this commit fires (a
  // delayed one is not ready, so the strand stops there).
  let next = outcome.successors[0]?.itemId;
  for (const successor of outcome.successors) state.enqueue(run, successor, delayMs, now);
  for (const arrival of outcome.joins) {
    const key = arrival.joinItem.itemId;
    let join = run.joins.get(key);
    if (!join) {
      join = { total: arrival.total, values: new Map(), fired: false };
      run.joins.set(key, join);
    }
    if (!join.values.has(arrival.index)) join.values.set(arrival.index, copy(arrival.value));
    if (!join.fired && join.values.size >= join.total) {
      join.fired = true;
      const values: unknown[] = [];
      for (let i = 0; i < join.total; i += 1) values.push(join.values.get(i));
      const fired = completeJoin(arrival, values);
      state.enqueue(run, fired, delayMs, now);
      next ??= fired.itemId;
      // The values are in the join item now; keeping them would double the memory of large fan-outs.
      join.values.clear();
    }
  }
  return next;
}

/** How long after `now` the durable timer of an advance is due: `delayMs`, or until `dueAt` (0 if passed). */
function timerDelay(outcome: AdvanceOutcome, now: number): number {
  if (outcome.dueAt !== undefined) return Math.max(0, outcome.dueAt - now);
  return outcome.delayMs ?? 0;
}

function commitRetry(
  state: MemoryState,
  run: RunRecord,
  step: StepCommit,
  outcome: RetryOutcome,
  now: number,
): void {
  const item = step.lease.item;
  const at = step.at;
  setItemState(run, step, 'waiting-retry');
  run.metrics.retries += 1;
  state.event(run, {
    at,
    type: 'step.retrying',
    itemId: item.itemId,
    node: item.node,
    attempt: item.attempt,
    error: outcome.error,
  });
  state.enqueue(run, outcome.retryItem, outcome.delayMs, now);
}

function commitFailed(
  state: MemoryState,
  run: RunRecord,
  step: StepCommit,
  outcome: FailedOutcome,
  now: number,
): void {
  const item = step.lease.item;
  const at = step.at;
  run.metrics.failed += 1;
  state.addTiming(run, item.node, outcome.durationMs);
  state.event(run, {
    at,
    type: 'step.failed',
    itemId: item.itemId,
    node: item.node,
    attempt: item.attempt,
    error: outcome.error,
  });
  if (outcome.fallback.length > 0) {
    setItemState(run, step, 'failed');
    for (const fallback of outcome.fallback) state.enqueue(run, fallback, 0, now);
    return;
  }
  setItemState(run, step, 'dead');
  state.failRun(run, outcome.error, at);
}
