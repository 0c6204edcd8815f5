import type { EventStore } from '../contracts/event-store.js';
import type { RunEvent } from '../contracts/records.js';
import { copy, type MemoryState } from './memory-state.js';

/**
 * The in-memory {@link EventStore}: each run's events, `seq` 1, 2, 3… in append order.
 *
 * @example
 * ```ts
 * const events = await backend.events.read(runId, lastSeq, 100);
 * ```
 */
export class MemoryEventStore implements EventStore {
  readonly #state: MemoryState;

  constructor(state: MemoryState) {
    this.#state = state;
  }

  /** Copies of the events with `seq > afterSeq`, at most `limit`. */
  async read(runId: string, afterSeq: number, limit?: number): Promise<RunEvent[]> {
    const run = this.#state.runs.get(runId);
    if (!run) return [];
    // seq n lives at index n - 1, so the slice needs no search.
    const start = Math.max(0, Math.floor(afterSeq));
    const end = limit === undefined ? undefined : start + Math.max(0, limit);
    return copy(run.events.slice(start, end));
  }
}
