// Entry point of a P14 worker process: one DistributedWorker serving one of the fleet chains on a Redis
// prefix or Postgres schema, until told to stop.
import { fleetChain } from '../floxide/fleet-chain.js';
import { serveWorkerProcess, type StoreLocation } from './serve-worker-process.js';

/** Configuration of a P14 worker process (`BENCH_FLEET_CONFIG`). */
export interface FleetWorkerConfig extends StoreLocation {
  /** The chain this worker registers (and so the only one it leases). */
  readonly workflow: string;
  readonly concurrency: number;
}

serveWorkerProcess<FleetWorkerConfig>('BENCH_FLEET_CONFIG', (config) => ({
  poolSize: config.concurrency,
  worker: { workflows: [fleetChain(config.workflow)], concurrency: config.concurrency, idleWaitMs: 200 },
  graceMs: 0,
  reportRss: false,
}));
