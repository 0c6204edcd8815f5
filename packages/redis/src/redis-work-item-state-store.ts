import type { WorkItemState, WorkItemStateStore } from '@floxide/distributed';
import { parseJson } from './item-codec.js';
import type { RedisShared } from './redis-shared.js';

/**
 * The Redis {@link WorkItemStateStore}: item states in the run's `items` hash, creation order in `order`.
 *
 * @example
 * ```ts
 * const items = await backend.items.list(runId);
 * ```
 */
export class RedisWorkItemStateStore implements WorkItemStateStore {
  readonly #shared: RedisShared;

  constructor(shared: RedisShared) {
    this.#shared = shared;
  }

  /** One item's state, or `undefined`. */
  async get(runId: string, itemId: string): Promise<WorkItemState | undefined> {
    const s = this.#shared;
    return s.guard('items.get', async () => {
      const raw = await s.client.hget(s.keys.run(runId, 'items'), itemId);
      return raw === null ? undefined : parseJson<WorkItemState>(raw, 'work item state');
    });
  }

  /** Every item state of the run, in creation order. */
  async list(runId: string): Promise<WorkItemState[]> {
    const s = this.#shared;
    return s.guard('items.list', async () => {
      const results = ((await s.client
        .pipeline()
        .lrange(s.keys.run(runId, 'order'), 0, -1)
        .hgetall(s.keys.run(runId, 'items'))
        .exec()) ?? []) as [Error | null, unknown][];
      const [e1, order] = results[0] ?? [null, undefined];
      const [e2, all] = results[1] ?? [null, undefined];
      if (e1) throw e1;
      if (e2) throw e2;
      const states = all as Record<string, string>;
      return (order as string[])
        .filter((id) => states[id] !== undefined)
        .map((id) => parseJson<WorkItemState>(states[id] as string, 'work item state'));
    });
  }
}
