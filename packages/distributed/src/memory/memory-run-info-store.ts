import type { RunInfo } from '../contracts/records.js';
import type { RunInfoStore, RunListQuery, RunPage } from '../contracts/run-info-store.js';
import { encodeRunListCursor, normalizeRunListQuery } from '../contracts/run-list-query.js';
import { copy, type MemoryState } from './memory-state.js';

/**
 * The in-memory {@link RunInfoStore}: run records read from the backend's shared state.
 *
 * @remarks Returns copies. Lists read the state's run list indexes (by time, status, workflow, both, and
 * run id), kept by `startRun` and every status change, so a page costs a binary search plus the page. A
 * cursor names the last run of the previous page, so pages stay stable when newer runs are added meanwhile.
 *
 * @example
 * ```ts
 * const { runs, nextCursor } = await backend.runs.list({ status: 'failed', limit: 20 });
 * ```
 */
export class MemoryRunInfoStore implements RunInfoStore {
  readonly #state: MemoryState;

  constructor(state: MemoryState) {
    this.#state = state;
  }

  /** A copy of the run, or `undefined`. */
  async get(runId: string): Promise<RunInfo | undefined> {
    const run = this.#state.runs.get(runId);
    return run ? copy(run.info) : undefined;
  }

  /** Runs newest first (by id with `runIdPrefix`), filtered, one page after `cursor`. */
  async list(query: RunListQuery = {}): Promise<RunPage> {
    const normalized = normalizeRunListQuery(query);
    const { runs, more } = this.#state.runIndex.page(normalized);
    const page = runs.map((r) => copy(r));
    const last = page[page.length - 1];
    return more && last
      ? { runs: page, nextCursor: encodeRunListCursor(last, normalized.runIdPrefix !== undefined) }
      : { runs: page };
  }
}
