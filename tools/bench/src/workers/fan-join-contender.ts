import type { FanJoinProbe } from './fan-join-probe.js';
import type { ContenderClient, ContenderEnv, ContenderWorker } from './queue-contender.js';

/** Where a fan-out → join contender keeps its data, and the fan-out's width. */
export interface FanJoinEnv extends ContenderEnv {
  /** Branches per run (the join waits for all of them). */
  readonly width: number;
}

/**
 * A queue system running the P8 workload: each run fans out to `width` branches, and a join runs once
 * every branch is done — written the way a user of that system would.
 *
 * @remarks
 * Like {@link QueueContender}, both sides live in one module: the orchestrating process calls
 * {@link FanJoinContender.open}, each spawned worker process {@link FanJoinContender.startWorker}.
 * `ContenderClient.enqueueRuns` starts whole runs (Floxide: the run, whose first step fans out; the
 * peers: the branch jobs and whatever their join needs).
 */
export interface FanJoinContender {
  readonly id: string;
  readonly label: string;
  /** Whether a run has a fan step of its own (Floxide's `split` node) before its branches. */
  readonly fanStep: boolean;
  open(env: FanJoinEnv): Promise<ContenderClient>;
  /** Starts consuming at `env.concurrency`; handlers report to `probe`. */
  startWorker(env: FanJoinEnv, probe: FanJoinProbe): Promise<ContenderWorker>;
}
