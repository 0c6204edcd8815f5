import type { WorkItem } from '@floxide/core/engine';
import type { MemoryState, RunRecord } from './memory-state.js';

/** A parked item of a run: the signal name and the attempt that waits. */
interface MemoryWait {
  readonly name: string;
  readonly attempt: number;
}

/** The signal bookkeeping of one run (kept on the run, so retention deletes it with the run). */
export interface RunSignals {
  /** Parked items by item id, in park order. */
  readonly waits: Map<string, MemoryWait>;
  /** Signals sent before a step waited for them, by name, oldest first. */
  readonly inbox: Map<string, unknown[]>;
  /** Signal ids already received (exactly once by `signalId`). */
  readonly ids: Set<string>;
}

/** A time no parked item without a timeout or deadline ever reaches (the latest `Date`). */
export const NEVER = 8_640_000_000_000_000;

/** The run's signal bookkeeping, created on first use. */
export function runSignals(run: RunRecord): RunSignals {
  run.signals ??= { waits: new Map(), inbox: new Map(), ids: new Set() };
  return run.signals;
}

/** The item's next attempt, as a park or a delivery enqueues it: no wait marker, no delivered signal. */
export function nextWaitAttempt(item: WorkItem): WorkItem {
  const { parked: _parked, delivered: _delivered, ...plain } = item;
  return { ...plain, attempt: item.attempt + 1, waitAttempts: (item.waitAttempts ?? 0) + 1 };
}

/**
 * Drops waits whose item is gone, moved on or leased (a timeout firing), then sets `waitingFor` and the
 * status: `waiting` while every outstanding item of a queued or running run is parked, `running` again
 * once one is not. Called after everything that changes a run's items while it may have waits.
 */
export function refreshWaits(state: MemoryState, run: RunRecord, at: number): void {
  const signals = run.signals;
  if (!signals) return;
  for (const [itemId, wait] of signals.waits) {
    const entry = run.queue.get(itemId);
    if (!entry || entry.item.attempt !== wait.attempt || entry.state === 'leased')
      signals.waits.delete(itemId);
  }
  if (signals.waits.size > 0) run.info.waitingFor = [...signals.waits.values()].map((w) => w.name);
  else delete run.info.waitingFor;
  const status = run.info.status;
  const allParked = signals.waits.size > 0 && signals.waits.size === run.queue.size;
  if (allParked && (status === 'running' || status === 'queued')) state.setStatus(run, 'waiting', at);
  else if (!allParked && status === 'waiting') state.setStatus(run, 'running', at);
}

/** Records a parked item (see {@link refreshWaits}). */
export function addWait(run: RunRecord, item: WorkItem, name: string): void {
  runSignals(run).waits.set(item.itemId, { name, attempt: item.attempt });
}
