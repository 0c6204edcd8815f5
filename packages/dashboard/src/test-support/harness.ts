import type { AnyWorkflow } from '@floxide/core';
import { DistributedWorker, type Backend } from '@floxide/distributed';
import { serveDashboard } from '../server/serve-dashboard.js';
import type { DashboardServer } from '../server/dashboard-options.js';
import { testWorkflows } from './workflows.js';

/** A dashboard on a free port plus an in-process worker, over one backend. */
export interface Harness {
  readonly backend: Backend;
  readonly dashboard: DashboardServer;
  readonly worker: DistributedWorker;
  /** Calls the dashboard's API with the given token (none: no Authorization header). */
  api(path: string, init?: { method?: string; body?: unknown; token?: string }): Promise<Response>;
  close(): Promise<void>;
}

/** Starts a dashboard (polling every 100 ms) and a worker on `backend`. */
export async function startHarness(
  backend: Backend,
  options: { token?: string; workflows?: readonly AnyWorkflow[] } = {},
): Promise<Harness> {
  const workflows = options.workflows ?? testWorkflows;
  const dashboard = await serveDashboard({
    backend,
    workflows,
    port: 0,
    pollMs: 100,
    ...(options.token === undefined ? {} : { token: options.token }),
  });
  const worker = new DistributedWorker({
    backend,
    workflows,
    concurrency: 4,
    heartbeatMs: 200,
    idleWaitMs: 100,
  });
  await worker.start();
  return {
    backend,
    dashboard,
    worker,
    api: (path, init = {}) =>
      fetch(new URL(path, dashboard.url), {
        method: init.method ?? 'GET',
        headers: {
          ...(init.token === undefined ? {} : { Authorization: `Bearer ${init.token}` }),
          ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      }),
    async close() {
      await worker.close({ graceMs: 500 });
      await dashboard.close();
    },
  };
}
