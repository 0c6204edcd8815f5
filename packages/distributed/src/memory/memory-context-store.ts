import type { ContextStore, VersionedContext } from '../contracts/context-store.js';
import { copy, type MemoryState } from './memory-state.js';

/**
 * The in-memory {@link ContextStore}: each run's context state and version.
 *
 * @example
 * ```ts
 * const ctx = await backend.context.get(runId); // { state, version }
 * ```
 */
export class MemoryContextStore implements ContextStore {
  readonly #state: MemoryState;

  constructor(state: MemoryState) {
    this.#state = state;
  }

  /** A copy of the run's context, or `undefined` for a missing run. */
  async get(runId: string): Promise<VersionedContext | undefined> {
    const run = this.#state.runs.get(runId);
    return run ? { state: copy(run.context.state), version: run.context.version } : undefined;
  }
}
