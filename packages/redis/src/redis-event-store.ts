import type { EventStore, RunEvent } from '@floxide/distributed';
import { parseJson } from './item-codec.js';
import type { RedisShared } from './redis-shared.js';

/**
 * The Redis {@link EventStore}: a list per run where event `seq` n sits at index n - 1, so reads are one
 * LRANGE without a search.
 *
 * @example
 * ```ts
 * const events = await backend.events.read(runId, lastSeq, 100);
 * ```
 */
export class RedisEventStore implements EventStore {
  readonly #shared: RedisShared;

  constructor(shared: RedisShared) {
    this.#shared = shared;
  }

  /** Events with `seq > afterSeq`, at most `limit`, in order; missing run: empty. */
  async read(runId: string, afterSeq: number, limit?: number): Promise<RunEvent[]> {
    const s = this.#shared;
    const start = Math.max(0, Math.floor(afterSeq));
    if (limit !== undefined && limit <= 0) return [];
    const stop = limit === undefined ? -1 : start + Math.floor(limit) - 1;
    return s.guard('events.read', async () => {
      const raw = await s.client.lrange(s.keys.run(runId, 'events'), start, stop);
      return raw.map((r) => parseJson<RunEvent>(r, 'run event'));
    });
  }
}
