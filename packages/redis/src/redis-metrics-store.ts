import type { MetricsStore, NodeTimings, RunMetrics } from '@floxide/distributed';
import type { RedisShared } from './redis-shared.js';

/**
 * The Redis {@link MetricsStore}: counters in the run's `metrics` hash, written only by the commit and
 * start scripts; `running` is the number of entries in the run's leased hash, `totalItems` the length of its `order` list.
 *
 * @example
 * ```ts
 * const metrics = await backend.metrics.get(runId);
 * ```
 */
export class RedisMetricsStore implements MetricsStore {
  readonly #shared: RedisShared;

  constructor(shared: RedisShared) {
    this.#shared = shared;
  }

  /** A snapshot of the run's counters, or `undefined` for a missing run. */
  async get(runId: string): Promise<RunMetrics | undefined> {
    const s = this.#shared;
    return s.guard('metrics.get', async () => {
      const results = ((await s.client
        .pipeline()
        .hgetall(s.keys.run(runId, 'metrics'))
        .hlen(s.keys.run(runId, 'leased'))
        .llen(s.keys.run(runId, 'order'))
        .exec()) ?? []) as [Error | null, unknown][];
      const [e1, raw] = results[0] ?? [null, undefined];
      const [e2, running] = results[1] ?? [null, undefined];
      const [e3, total] = results[2] ?? [null, undefined];
      if (e1) throw e1;
      if (e2) throw e2;
      if (e3) throw e3;
      const h = raw as Record<string, string>;
      // The start script writes the counters, so a run without them does not exist.
      if (h['totalItems'] === undefined) return undefined;
      const nodes: Record<string, NodeTimings> = {};
      for (const [field, value] of Object.entries(h)) {
        // `n:<node>` holds `count \t totalMs \t maxMs` (one field, so the commit script reads and writes it once).
        if (!field.startsWith('n:')) continue;
        const [count, totalMs, maxMs] = value.split('\t');
        nodes[field.slice(2)] = {
          count: Number(count),
          totalMs: Number(totalMs ?? 0),
          maxMs: Number(maxMs ?? 0),
        };
      }
      return {
        // Every item is appended to the run's `order` list once: its length is the item count.
        totalItems: Number(total),
        completed: Number(h['completed'] ?? 0),
        failed: Number(h['failed'] ?? 0),
        retries: Number(h['retries'] ?? 0),
        running: Number(running),
        nodes,
      };
    });
  }
}
