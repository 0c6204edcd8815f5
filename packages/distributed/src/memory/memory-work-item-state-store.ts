import type { WorkItemState } from '../contracts/records.js';
import type { WorkItemStateStore } from '../contracts/work-item-state-store.js';
import { copy, type MemoryState } from './memory-state.js';

/**
 * The in-memory {@link WorkItemStateStore}: item states kept by enqueue, lease and commit.
 *
 * @example
 * ```ts
 * const items = await backend.items.list(runId);
 * ```
 */
export class MemoryWorkItemStateStore implements WorkItemStateStore {
  readonly #state: MemoryState;

  constructor(state: MemoryState) {
    this.#state = state;
  }

  /** A copy of one item's state, or `undefined`. */
  async get(runId: string, itemId: string): Promise<WorkItemState | undefined> {
    const record = this.#state.runs.get(runId)?.items.get(itemId);
    return record ? copy(record.state) : undefined;
  }

  /** Copies of every item state of the run, in creation order. */
  async list(runId: string): Promise<WorkItemState[]> {
    const run = this.#state.runs.get(runId);
    if (!run) return [];
    return [...run.items.values()].map((r) => copy(r.state));
  }
}
