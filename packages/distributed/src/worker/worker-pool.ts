import type { CloseOptions, DistributedWorkerOptions, WorkerStats } from './distributed-worker-options.js';
import { DistributedWorker } from './distributed-worker.js';

/** Options of {@link WorkerPool}: the worker options plus how many workers to run. */
export interface WorkerPoolOptions extends DistributedWorkerOptions {
  /** Number of workers (at least 1). */
  readonly size: number;
}

/**
 * Several {@link DistributedWorker}s in one process, started and closed together.
 *
 * @remarks
 * Each worker has its own id (`${id}-${n}` when an `id` is given, otherwise a unique default), its own
 * heartbeat and its own leases, exactly as if it ran in a separate process. Use one worker with a higher
 * `concurrency` for I/O-bound nodes; a pool mostly helps tests and demos that simulate a cluster.
 *
 * @example
 * ```ts
 * const pool = new WorkerPool({ backend, workflows: [wf], size: 4, concurrency: 2 });
 * await pool.start();
 * await pool.close({ graceMs: 5_000 });
 * ```
 */
export class WorkerPool {
  /** The pool's workers, in creation order. */
  readonly workers: readonly DistributedWorker[];

  constructor(options: WorkerPoolOptions) {
    const { size, id, ...workerOptions } = options;
    const count = Math.max(1, Math.floor(size));
    const workers: DistributedWorker[] = [];
    for (let n = 1; n <= count; n += 1) {
      workers.push(
        new DistributedWorker({ ...workerOptions, ...(id === undefined ? {} : { id: `${id}-${n}` }) }),
      );
    }
    this.workers = workers;
  }

  /** Ids of the pool's workers. */
  get ids(): string[] {
    return this.workers.map((w) => w.id);
  }

  /** Counters summed over every worker. */
  get stats(): WorkerStats {
    let processed = 0;
    let errors = 0;
    for (const w of this.workers) {
      processed += w.stats.processed;
      errors += w.stats.errors;
    }
    return { processed, errors };
  }

  /** Starts every worker. */
  async start(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.start()));
  }

  /** Closes every worker with the same grace (see {@link DistributedWorker.close}). */
  async close(options: CloseOptions = {}): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close(options)));
  }
}
