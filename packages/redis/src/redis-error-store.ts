import type { ErrorStore, WorkflowErrorRecord } from '@floxide/distributed';
import { parseJson } from './item-codec.js';
import type { RedisShared } from './redis-shared.js';

/**
 * The Redis {@link ErrorStore}: a list per run; commits append to it inside their script.
 *
 * @example
 * ```ts
 * const errors = await backend.errors.list(runId);
 * ```
 */
export class RedisErrorStore implements ErrorStore {
  readonly #shared: RedisShared;

  constructor(shared: RedisShared) {
    this.#shared = shared;
  }

  /** Appends a record (never deduplicated). */
  async record(error: WorkflowErrorRecord): Promise<void> {
    const s = this.#shared;
    await s.guard('errors.record', async () => {
      await s.client.rpush(s.keys.run(error.runId, 'errors'), JSON.stringify(error));
    });
  }

  /** The run's records in append order; missing run: empty. */
  async list(runId: string): Promise<WorkflowErrorRecord[]> {
    const s = this.#shared;
    return s.guard('errors.list', async () => {
      const raw = await s.client.lrange(s.keys.run(runId, 'errors'), 0, -1);
      return raw.map((r) => parseJson<WorkflowErrorRecord>(r, 'error record'));
    });
  }
}
