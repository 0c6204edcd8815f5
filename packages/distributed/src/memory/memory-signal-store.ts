import { RunStateError } from '@floxide/core';
import { runNotFoundError } from '../contracts/retention.js';
import type {
  ParkRequest,
  ParkResult,
  SignalDelivery,
  SignalResult,
  SignalStore,
} from '../contracts/signal-store.js';
import { addWait, NEVER, nextWaitAttempt, refreshWaits, runSignals } from './memory-signals.js';
import { commitKey, copy, isFinished, type MemoryState } from './memory-state.js';

/**
 * The in-memory {@link SignalStore}: parks and deliveries run synchronously against the shared state, so
 * each is atomic with every commit, lease and control call.
 *
 * @example
 * ```ts
 * await backend.signals.deliver({ runId, name: 'approval', payload: { ok: true }, at: Date.now() });
 * ```
 */
export class MemorySignalStore implements SignalStore {
  readonly #state: MemoryState;

  constructor(state: MemoryState) {
    this.#state = state;
  }

  /** Parks the leased item on its signal, or hands it a stored one (see {@link SignalStore.park}). */
  async park(request: ParkRequest): Promise<ParkResult> {
    const state = this.#state;
    const item = request.lease.item;
    const run = state.runs.get(item.runId);
    if (!run) return { status: 'rejected', runStatus: 'cancelled' };
    const key = commitKey(item.itemId, item.attempt);
    if (run.committed.has(key)) return { status: 'duplicate' };
    if (isFinished(run.info.status)) return { status: 'rejected', runStatus: run.info.status };
    run.committed.add(key);
    const entry = run.queue.get(item.itemId);
    if (entry && entry.item.attempt === item.attempt) state.removeEntry(run, entry);
    if (request.refused) {
      run.errors.push({
        runId: item.runId,
        itemId: item.itemId,
        node: item.node,
        attempt: item.attempt,
        error: copy(request.refused),
        at: request.at,
      });
    }
    const now = state.now();
    const next = nextWaitAttempt(item);
    const stored = runSignals(run).inbox.get(request.name);
    let status: 'parked' | 'delivered';
    if (stored !== undefined && stored.length > 0) {
      const payload = stored.shift();
      if (stored.length === 0) runSignals(run).inbox.delete(request.name);
      state.enqueue(run, { ...next, delivered: { name: request.name, payload } }, 0, now);
      status = 'delivered';
    } else {
      const timeoutAt = request.timeoutMs === undefined ? undefined : now + request.timeoutMs;
      const dueAt = Math.min(timeoutAt ?? NEVER, item.deadlineAt ?? NEVER);
      const parked = {
        ...next,
        parked: timeoutAt === undefined ? { name: request.name } : { name: request.name, timeoutAt },
      };
      state.enqueue(run, parked, dueAt - now, now);
      const record = run.items.get(item.itemId);
      if (record) record.state.status = 'pending';
      addWait(run, parked, request.name);
      status = 'parked';
    }
    refreshWaits(state, run, now);
    return { status, runStatus: run.info.status };
  }

  /** Delivers the signal to the oldest parked item waiting for it, else stores it. */
  async deliver(signal: SignalDelivery): Promise<SignalResult> {
    const state = this.#state;
    const run = state.runs.get(signal.runId);
    if (!run) throw runNotFoundError(signal.runId);
    const signals = runSignals(run);
    // A retried send of a signal already received is a duplicate even once the run has finished.
    if (signal.signalId !== undefined && signals.ids.has(signal.signalId)) return { status: 'duplicate' };
    if (isFinished(run.info.status)) {
      throw new RunStateError(
        `Cannot signal '${signal.name}' to run ${signal.runId}: it is ${run.info.status}`,
      );
    }
    if (signal.signalId !== undefined) signals.ids.add(signal.signalId);
    const now = state.now();
    refreshWaits(state, run, now);
    for (const [itemId, wait] of signals.waits) {
      if (wait.name !== signal.name) continue;
      const entry = run.queue.get(itemId);
      if (!entry) continue;
      const delivered = { name: signal.name, payload: copy(signal.payload) };
      state.enqueue(run, { ...nextWaitAttempt(entry.item), delivered }, 0, now);
      refreshWaits(state, run, now);
      return { status: 'delivered', itemId };
    }
    const inbox = signals.inbox.get(signal.name);
    if (inbox) inbox.push(copy(signal.payload));
    else signals.inbox.set(signal.name, [copy(signal.payload)]);
    return { status: 'stored' };
  }
}
