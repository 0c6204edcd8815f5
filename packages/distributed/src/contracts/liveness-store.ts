import type { WorkerHealth } from './records.js';

/**
 * Worker heartbeats and health.
 * @remarks `heartbeat` replaces the worker's whole record (last write wins). Missing worker: `undefined`.
 */
export interface LivenessStore {
  heartbeat(health: WorkerHealth): Promise<void>;
  get(workerId: string): Promise<WorkerHealth | undefined>;
  /** Every worker that ever sent a heartbeat and was not removed, in worker-id order. */
  list(): Promise<WorkerHealth[]>;
  /** Forgets a worker. Idempotent. */
  remove(workerId: string): Promise<void>;
}
