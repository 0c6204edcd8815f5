import type { LoggedEvent } from '@floxide/core';
import type {
  ContextFieldRead,
  ContextRead,
  ContextReadRequest,
  ContextStore,
  VersionedContext,
} from '../contracts/context-store.js';
import { copy, type MemoryState } from './memory-state.js';

/**
 * The in-memory {@link ContextStore}: each run's context, field by field (see `RunRecord.context`).
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

  /** A copy of the run's whole context, or `undefined` for a missing run. */
  async get(runId: string): Promise<VersionedContext | undefined> {
    const run = this.#state.runs.get(runId);
    return run ? { state: copy(run.context.state), version: run.context.version } : undefined;
  }

  /** Copies of the requested fields and of the requested log tails only. */
  async read(runId: string, request: ContextReadRequest): Promise<ContextRead | undefined> {
    const run = this.#state.runs.get(runId);
    if (!run) return undefined;
    const { state, fieldVersions } = run.context;
    const fields: Record<string, ContextFieldRead> = {};
    for (const field of request.fields) {
      fields[field] = { value: copy(state[field] ?? null), version: fieldVersions.get(field) ?? 0 };
    }
    const logs: Record<string, LoggedEvent<unknown>[]> = {};
    for (const [field, from] of Object.entries(request.logs)) {
      const events = state[field];
      logs[field] = Array.isArray(events)
        ? (events as LoggedEvent<unknown>[]).slice(Math.max(0, from)).map((e) => ({
            id: e.id,
            event: copy(e.event),
          }))
        : [];
    }
    return { fields, logs };
  }
}
