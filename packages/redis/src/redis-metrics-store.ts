import type { MetricsStore, NodeTimings, RunMetrics } from '@floxide/distributed';
import type { RedisShared } from './redis-shared.js';

/**
 * The Redis {@link MetricsStore}: counters in the run's `metrics` hash, written only by the commit and
 * start scripts; `running` is the size of the run's leased set.
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
        .scard(s.keys.run(runId, 'leased'))
        .exec()) ?? []) as [Error | null, unknown][];
      const [e1, raw] = results[0] ?? [null, undefined];
      const [e2, running] = results[1] ?? [null, undefined];
      if (e1) throw e1;
      if (e2) throw e2;
      const h = raw as Record<string, string>;
      if (h['totalItems'] === undefined) return undefined;
      const nodes: Record<string, NodeTimings> = {};
      for (const [field, value] of Object.entries(h)) {
        if (!field.startsWith('c:')) continue;
        const node = field.slice(2);
        nodes[node] = { count: Number(value), totalMs: Number(h[`t:${node}`] ?? 0), maxMs: Number(h[`m:${node}`] ?? 0) };
      }
      return {
        totalItems: Number(h['totalItems']),
        completed: Number(h['completed'] ?? 0),
        failed: Number(h['failed'] ?? 0),
        retries: Number(h['retries'] ?? 0),
        running: Number(running),
        nodes,
      };
    });
  }
}
