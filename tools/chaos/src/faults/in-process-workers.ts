import { DistributedWorker, type Backend } from '@floxide/distributed';
import { openBackend, type FaultTarget } from './fault-target.js';
import { faultWorkflows, type SlowObserver } from './fault-workflows.js';

/**
 * Workers in this process, each with a backend (connections) of its own as a separate process would have:
 * for cases that watch node code from the outside (cancel/pause) or need no process to die (server
 * restart, wide fan-out), and start far faster than a process on a loaded machine.
 */
export class InProcessWorkers {
  readonly #workers: { worker: DistributedWorker; backend: Backend }[] = [];

  /** Starts `count` workers of every fault workflow on `target`. */
  static async start(
    target: FaultTarget,
    count: number,
    options: { readonly observer?: SlowObserver; readonly concurrency?: number } = {},
  ): Promise<InProcessWorkers> {
    const set = new InProcessWorkers();
    for (let i = 0; i < count; i += 1) {
      const backend = openBackend(target, 'worker');
      const worker = new DistributedWorker({
        backend,
        workflows: faultWorkflows(options.observer),
        concurrency: options.concurrency ?? 8,
        leaseMs: 3_000,
        heartbeatMs: 300,
        idleWaitMs: 500,
      });
      set.#workers.push({ worker, backend });
      await worker.start();
    }
    return set;
  }

  /** Closes every worker (in-flight items released) and its backend. */
  async close(): Promise<void> {
    await Promise.all(
      this.#workers.splice(0).map(async ({ worker, backend }) => {
        await worker.close({ graceMs: 1_000 }).catch(() => undefined);
        await backend.close().catch(() => undefined);
      }),
    );
  }
}
