// Entry point of a P10 worker process: a DistributedWorker for the fan-out and chain workflows on one
// backend, reporting its RSS to the parent over IPC until told to stop.
import { floxideChain, floxideFanOut } from '../floxide/local-workflows.js';
import { serveWorkerProcess, type StoreLocation } from './serve-worker-process.js';

/** Configuration of a P10 worker process (`BENCH_FANOUT_CONFIG`). */
export interface FanOutWorkerConfig extends StoreLocation {
  readonly concurrency: number;
}

serveWorkerProcess<FanOutWorkerConfig>('BENCH_FANOUT_CONFIG', (config) => ({
  poolSize: config.concurrency + 4,
  worker: { workflows: [floxideFanOut(), floxideChain(5)], concurrency: config.concurrency },
  graceMs: 2_000,
  reportRss: true,
}));
