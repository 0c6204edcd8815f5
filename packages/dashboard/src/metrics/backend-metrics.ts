import type { Backend, LivenessStatus, RunStatus } from '@floxide/distributed';
import { classifyLiveness } from '@floxide/distributed';
import { Gauge, Registry } from 'prom-client';
import { queueDepth } from '../server/queue-depth.js';

const STATUSES: readonly RunStatus[] = ['queued', 'running', 'paused', 'completed', 'failed', 'cancelled'];
const LIVENESS: readonly LivenessStatus[] = ['alive', 'stale', 'dead'];

/** Runs of one status counted per scrape, at most (a store of millions of runs is not walked whole). */
export const MAX_COUNTED_RUNS = 10_000;

/** Options of {@link BackendMetrics}. */
export interface BackendMetricsOptions {
  readonly backend: Backend;
  /** Registry to add the gauges to (default: a new one). */
  readonly registry?: Registry;
  /** Heartbeat age from which a worker is stale (default 5 000 ms; dead from 3×). */
  readonly staleAfterMs?: number;
}

/**
 * Deployment-wide Prometheus gauges read from the backend at scrape time: runs by status, workers by
 * liveness, queue depth.
 *
 * @remarks
 * Nothing is polled between scrapes. `floxide_runs` counts at most {@link MAX_COUNTED_RUNS} runs per
 * status (the backend's run list pages through them); `floxide_runs_counted_partial` says when a status
 * held more.
 *
 * @example
 * ```ts
 * const metrics = new BackendMetrics({ backend });
 * const { contentType, body } = await metrics.scrape();
 * ```
 */
export class BackendMetrics {
  /** The registry holding the gauges. */
  readonly registry: Registry;
  readonly #backend: Backend;
  readonly #staleAfterMs: number;

  constructor(options: BackendMetricsOptions) {
    this.#backend = options.backend;
    this.registry = options.registry ?? new Registry();
    this.#staleAfterMs = options.staleAfterMs ?? 5_000;
    const backend = this.#backend;
    const staleAfterMs = this.#staleAfterMs;
    const partial = new Gauge({
      name: 'floxide_runs_counted_partial',
      help: `1 when a status holds more than ${MAX_COUNTED_RUNS} runs and floxide_runs is a lower bound`,
      labelNames: ['status'],
      registers: [this.registry],
    });
    new Gauge({
      name: 'floxide_runs',
      help: 'Runs stored, by status',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        for (const status of STATUSES) {
          const { count, more } = await countRuns(backend, status);
          this.set({ status }, count);
          partial.set({ status }, more ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'floxide_workers',
      help: 'Workers that ever sent a heartbeat, by liveness (alive, stale, dead)',
      labelNames: ['liveness'],
      registers: [this.registry],
      async collect() {
        const now = Date.now();
        const counts = new Map<LivenessStatus, number>(LIVENESS.map((l) => [l, 0]));
        for (const w of await backend.liveness.list()) {
          if (w.status === 'stopped') continue;
          const l = classifyLiveness(Math.max(0, now - w.lastHeartbeat), staleAfterMs);
          counts.set(l, (counts.get(l) ?? 0) + 1);
        }
        for (const [liveness, n] of counts) this.set({ liveness }, n);
      },
    });
    new Gauge({
      name: 'floxide_queue_items',
      help: 'Work items of unfinished runs not committed yet: waiting for a worker, or leased',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        const depth = await queueDepth(backend);
        this.set({ state: 'waiting' }, depth.waiting);
        this.set({ state: 'leased' }, depth.leased);
      },
    });
  }

  /** The registry's text exposition and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

async function countRuns(backend: Backend, status: RunStatus): Promise<{ count: number; more: boolean }> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await backend.runs.list({ status, limit: 500, ...(cursor === undefined ? {} : { cursor }) });
    count += page.runs.length;
    cursor = page.nextCursor;
  } while (cursor !== undefined && count < MAX_COUNTED_RUNS);
  return { count, more: cursor !== undefined };
}
