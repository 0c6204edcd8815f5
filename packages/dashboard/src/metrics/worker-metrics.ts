import type { Backend, CommitResult, LeaseOptions, StepCommit, WorkQueue } from '@floxide/distributed';
import { Counter, Histogram, Registry } from 'prom-client';
import { BackendMetrics } from './backend-metrics.js';

/** Options of {@link WorkerMetrics}. */
export interface WorkerMetricsOptions {
  /** Registry to add the metrics to (default: a new one). */
  readonly registry?: Registry;
  /**
   * Also export the deployment-wide gauges (runs by status, workers by liveness, queue depth) read from
   * this backend at scrape time. Off by default: every worker of a fleet would report the same numbers;
   * the dashboard's `/metrics` has them once.
   */
  readonly deployment?: Backend;
}

const OUTCOME = { advance: 'committed', retry: 'retried', failed: 'failed' } as const;

/** Step durations from 1 ms to 5 min. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/**
 * Prometheus metrics of a worker process: steps committed / retried / failed per workflow and node, step
 * durations, how long leasing waited for work, and commits that changed nothing.
 *
 * @remarks
 * The metrics come from the backend the worker uses, wrapped by {@link WorkerMetrics.instrument}: every
 * commit and lease passes through it, so no worker code changes and any backend works. A step counts once,
 * when its commit is `committed` — a duplicate or rejected commit is counted apart, never as a step.
 * Nothing is added to the work of a worker without metrics.
 *
 * @example
 * ```ts
 * const metrics = new WorkerMetrics();
 * const worker = new DistributedWorker({ backend: metrics.instrument(backend), workflows: [wf] });
 * const endpoint = await serveMetrics({ registry: metrics.registry, port: 9464 });
 * ```
 */
export class WorkerMetrics {
  /** The registry holding this worker's metrics. */
  readonly registry: Registry;
  readonly #steps: Counter<'workflow' | 'node' | 'outcome'>;
  readonly #duration: Histogram<'workflow' | 'node' | 'outcome'>;
  readonly #leaseWait: Histogram;
  readonly #leased: Counter<'workflow' | 'node'>;
  readonly #unchanged: Counter<'result'>;

  constructor(options: WorkerMetricsOptions = {}) {
    this.registry = options.registry ?? new Registry();
    const registers = [this.registry];
    this.#steps = new Counter({
      name: 'floxide_steps_total',
      help: 'Steps committed by this worker, by workflow, node and outcome (committed, retried, failed)',
      labelNames: ['workflow', 'node', 'outcome'],
      registers,
    });
    this.#duration = new Histogram({
      name: 'floxide_step_duration_seconds',
      help: 'Time a node took to run, by workflow, node and outcome',
      labelNames: ['workflow', 'node', 'outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#leaseWait = new Histogram({
      name: 'floxide_lease_wait_seconds',
      help: 'How long a lease call waited before it handed this worker work (calls that got none are not counted)',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.#leased = new Counter({
      name: 'floxide_items_leased_total',
      help: 'Work items leased by this worker, by workflow and node',
      labelNames: ['workflow', 'node'],
      registers,
    });
    this.#unchanged = new Counter({
      name: 'floxide_commits_unchanged_total',
      help: 'Commits that changed nothing: duplicate (already committed) or rejected (run cancelled or finished)',
      labelNames: ['result'],
      registers,
    });
    if (options.deployment !== undefined)
      new BackendMetrics({ backend: options.deployment, registry: this.registry });
  }

  /**
   * The backend to give the worker: the same backend, with its commits and leases counted. Everything
   * else (and any method a backend adds) passes through untouched.
   */
  instrument<TBackend extends Backend>(backend: TBackend): TBackend {
    const queue = this.#instrumentQueue(backend.queue);
    const commit = async (step: StepCommit): Promise<CommitResult> => {
      const result = await backend.commit(step);
      this.#record(step, result);
      // A strand continuation is leased by the commit itself, with no lease call (and no wait).
      if (result.status === 'committed' && result.next)
        this.#leased.inc({ workflow: result.next.item.workflow, node: result.next.item.node });
      return result;
    };
    return new Proxy(backend, {
      get(target, property) {
        if (property === 'queue') return queue;
        if (property === 'commit') return commit;
        const value: unknown = Reflect.get(target, property, target);
        // Methods run against the real backend, whose private fields a proxy receiver would not have.
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  /** The registry's text exposition and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  #instrumentQueue(queue: WorkQueue): WorkQueue {
    const lease = async (options: LeaseOptions): ReturnType<WorkQueue['lease']> => {
      const began = performance.now();
      const leases = await queue.lease(options);
      if (leases.length > 0) {
        this.#leaseWait.observe((performance.now() - began) / 1_000);
        for (const l of leases) this.#leased.inc({ workflow: l.item.workflow, node: l.item.node });
      }
      return leases;
    };
    return new Proxy(queue, {
      get(target, property) {
        if (property === 'lease') return lease;
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  #record(step: StepCommit, result: CommitResult): void {
    if (result.status === 'duplicate' || result.status === 'rejected') {
      this.#unchanged.inc({ result: result.status });
      return;
    }
    // A conflict is re-applied and committed again by the worker; that later commit is the one counted.
    if (result.status !== 'committed') return;
    const { item } = step.lease;
    const labels = { workflow: item.workflow, node: item.node, outcome: OUTCOME[step.outcome.kind] };
    this.#steps.inc(labels);
    this.#duration.observe(labels, step.outcome.durationMs / 1_000);
  }
}
