import type { LivenessStore, WorkerHealth } from '@floxide/distributed';
import { parseJson } from './item-codec.js';
import type { RedisShared } from './redis-shared.js';

/**
 * The Redis {@link LivenessStore}: one hash `<prefix>:workers`, worker id → last heartbeat JSON.
 *
 * @example
 * ```ts
 * const workers = await backend.liveness.list();
 * ```
 */
export class RedisLivenessStore implements LivenessStore {
  readonly #shared: RedisShared;

  constructor(shared: RedisShared) {
    this.#shared = shared;
  }

  /** Replaces the worker's record (last write wins). */
  async heartbeat(health: WorkerHealth): Promise<void> {
    const s = this.#shared;
    await s.guard('liveness.heartbeat', async () => {
      await s.client.hset(s.keys.workers, health.workerId, JSON.stringify(health));
    });
  }

  /** The worker's last record, or `undefined`. */
  async get(workerId: string): Promise<WorkerHealth | undefined> {
    const s = this.#shared;
    return s.guard('liveness.get', async () => {
      const raw = await s.client.hget(s.keys.workers, workerId);
      return raw === null ? undefined : parseJson<WorkerHealth>(raw, 'worker health');
    });
  }

  /** Every known worker, in worker-id order. */
  async list(): Promise<WorkerHealth[]> {
    const s = this.#shared;
    return s.guard('liveness.list', async () => {
      const all = await s.client.hgetall(s.keys.workers);
      return Object.keys(all)
        .sort()
        .map((id) => parseJson<WorkerHealth>(all[id] as string, 'worker health'));
    });
  }

  /** Forgets the worker; idempotent. */
  async remove(workerId: string): Promise<void> {
    const s = this.#shared;
    await s.guard('liveness.remove', async () => {
      await s.client.hdel(s.keys.workers, workerId);
    });
  }
}
