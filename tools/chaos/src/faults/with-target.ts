import { DistributedOrchestrator, type Backend } from '@floxide/distributed';
import {
  createTarget,
  dropTarget,
  openBackend,
  type FaultBackendName,
  type FaultTarget,
} from './fault-target.js';
import { faultWorkflows, type SlowObserver } from './fault-workflows.js';
import { WorkerFleet } from './worker-fleet.js';

/** A fresh namespace with an orchestrator on it and a fleet of worker processes (none started yet). */
export interface TargetSession {
  readonly target: FaultTarget;
  readonly backend: Backend;
  readonly orchestrator: DistributedOrchestrator;
  readonly fleet: WorkerFleet;
}

/**
 * Creates a fresh namespace on `name` (at `url`, default the shared server), runs `fn` with it, then ends
 * every worker process, closes the backend and deletes the namespace, whatever `fn` did.
 */
export async function withTarget<T>(
  name: FaultBackendName,
  fn: (session: TargetSession) => Promise<T>,
  options: { readonly url?: string; readonly observer?: SlowObserver } = {},
): Promise<T> {
  const target = await createTarget(name, options.url);
  const backend = openBackend(target, 'orchestrator');
  const orchestrator = new DistributedOrchestrator({ backend, workflows: faultWorkflows(options.observer) });
  const fleet = new WorkerFleet(target);
  try {
    return await fn({ target, backend, orchestrator, fleet });
  } finally {
    await fleet.closeAll();
    await backend.close().catch(() => undefined);
    await dropTarget(target).catch(() => undefined);
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A random whole number of ms in `[min, max]`. */
export function between(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}
