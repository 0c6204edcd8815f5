import type { LivenessStore } from '../contracts/liveness-store.js';
import type { WorkerHealth } from '../contracts/records.js';
import { copy, type MemoryState } from './memory-state.js';

/**
 * The in-memory {@link LivenessStore}: the last heartbeat of every worker.
 *
 * @example
 * ```ts
 * const workers = await backend.liveness.list();
 * ```
 */
export class MemoryLivenessStore implements LivenessStore {
  readonly #state: MemoryState;

  constructor(state: MemoryState) {
    this.#state = state;
  }

  /** Replaces the worker's record. */
  async heartbeat(health: WorkerHealth): Promise<void> {
    this.#state.workers.set(health.workerId, copy(health));
  }

  /** A copy of the worker's record, or `undefined`. */
  async get(workerId: string): Promise<WorkerHealth | undefined> {
    const health = this.#state.workers.get(workerId);
    return health ? copy(health) : undefined;
  }

  /** Every known worker, by worker id. */
  async list(): Promise<WorkerHealth[]> {
    const ids = [...this.#state.workers.keys()].sort();
    return ids.map((id) => copy(this.#state.workers.get(id) as WorkerHealth));
  }

  /** Forgets the worker; idempotent. */
  async remove(workerId: string): Promise<void> {
    this.#state.workers.delete(workerId);
  }
}
