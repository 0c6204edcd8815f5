import type { MetricsStore } from '../contracts/metrics-store.js';
import type { NodeTimings, RunMetrics } from '../contracts/records.js';
import type { MemoryState } from './memory-state.js';

/**
 * The in-memory {@link MetricsStore}: counters maintained by commits, read as copies.
 *
 * @example
 * ```ts
 * const metrics = await backend.metrics.get(runId);
 * ```
 */
export class MemoryMetricsStore implements MetricsStore {
  readonly #state: MemoryState;

  constructor(state: MemoryState) {
    this.#state = state;
  }

  /** A snapshot of the run's counters, or `undefined` for a missing run. */
  async get(runId: string): Promise<RunMetrics | undefined> {
    const run = this.#state.runs.get(runId);
    if (!run) return undefined;
    const m = run.metrics;
    const nodes: Record<string, NodeTimings> = {};
    for (const [name, t] of m.nodes) nodes[name] = { count: t.count, totalMs: t.totalMs, maxMs: t.maxMs };
    return {
      totalItems: m.totalItems,
      completed: m.completed,
      failed: m.failed,
      retries: m.retries,
      running: m.running,
      nodes,
    };
  }
}
