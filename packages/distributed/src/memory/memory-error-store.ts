import type { ErrorStore } from '../contracts/error-store.js';
import type { WorkflowErrorRecord } from '../contracts/records.js';
import { copy, type MemoryState } from './memory-state.js';

/**
 * The in-memory {@link ErrorStore}: error records per run, in append order.
 *
 * @remarks Records for a run the backend does not know are dropped: there is nothing to attach them to.
 *
 * @example
 * ```ts
 * const records = await backend.errors.list(runId);
 * ```
 */
export class MemoryErrorStore implements ErrorStore {
  readonly #state: MemoryState;

  constructor(state: MemoryState) {
    this.#state = state;
  }

  /** Appends a record outside a commit (never deduplicated). */
  async record(error: WorkflowErrorRecord): Promise<void> {
    this.#state.runs.get(error.runId)?.errors.push(copy(error));
  }

  /** Copies of the run's records, oldest first; empty for a missing run. */
  async list(runId: string): Promise<WorkflowErrorRecord[]> {
    const run = this.#state.runs.get(runId);
    return run ? copy(run.errors) : [];
  }
}
