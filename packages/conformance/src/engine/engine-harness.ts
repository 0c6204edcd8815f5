import { afterEach, beforeEach } from 'vitest';
import type { AnyWorkflow } from '@floxide/core';
import { DistributedOrchestrator, DistributedWorker, WorkerPool, type Backend } from '@floxide/distributed';
import { SUITE_TEST_TIMEOUT_MS, type BackendTestInit } from '../support/backend-test-init.js';

/** Worker options of a scenario; the harness supplies the backend. */
export type ScenarioWorkerOptions = Omit<ConstructorParameters<typeof DistributedWorker>[0], 'backend'>;

/** Fast defaults: short leases and heartbeats so cancel and crash recovery take well under a second. */
const FAST = { leaseMs: 1_000, heartbeatMs: 100, idleWaitMs: 100 } as const;

/** Per-test access to a fresh backend plus started workers that are always closed afterwards. */
export interface EngineHarness {
  backend(): Backend;
  orchestrator(workflows: readonly AnyWorkflow[]): DistributedOrchestrator;
  /** Creates and starts a worker (fast lease/heartbeat defaults); closed after the test. */
  startWorker(options: ScenarioWorkerOptions): Promise<DistributedWorker>;
  /** Creates and starts a pool of `size` workers; closed after the test. */
  startPool(options: ScenarioWorkerOptions & { readonly size: number }): Promise<WorkerPool>;
}

/**
 * Registers hooks giving every scenario a fresh backend, and closing every worker and pool it started
 * (grace 0) before the backend is destroyed, so no test leaves a timer or connection open.
 *
 * @example
 * ```ts
 * describe('my scenario', () => {
 *   const harness = useEngineHarness(init);
 *   it('runs', async () => {
 *     const orchestrator = harness.orchestrator([wf]);
 *     await harness.startWorker({ workflows: [wf] });
 *     expect((await orchestrator.wait(await orchestrator.start(wf, 1))).status).toBe('completed');
 *   });
 * });
 * ```
 */
export function useEngineHarness(init: BackendTestInit): EngineHarness {
  let backend: Backend | undefined;
  let closers: (() => Promise<void>)[] = [];
  beforeEach(async () => {
    backend = await init.create();
  }, SUITE_TEST_TIMEOUT_MS);
  afterEach(async () => {
    const pending = closers;
    closers = [];
    const results = await Promise.allSettled(pending.map((close) => close()));
    const current = backend;
    backend = undefined;
    if (current) await init.destroy(current);
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
  }, SUITE_TEST_TIMEOUT_MS);
  const get = (): Backend => {
    if (!backend) throw new Error(`engine scenarios (${init.name}): no backend outside a running test`);
    return backend;
  };
  return {
    backend: get,
    orchestrator: (workflows) => new DistributedOrchestrator({ backend: get(), workflows: [...workflows] }),
    async startWorker(options) {
      const worker = new DistributedWorker({ ...FAST, ...options, backend: get() });
      closers.push(() => worker.close({ graceMs: 0 }));
      await worker.start();
      return worker;
    },
    async startPool(options) {
      const pool = new WorkerPool({ ...FAST, ...options, backend: get() });
      closers.push(() => pool.close({ graceMs: 0 }));
      await pool.start();
      return pool;
    },
  };
}
