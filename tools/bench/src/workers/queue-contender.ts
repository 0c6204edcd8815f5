import type { StepProbe } from './step-probe.js';

/** Where a queue contender keeps its data; every name is unique to one scenario run. */
export interface ContenderEnv {
  readonly redisUrl?: string;
  readonly databaseUrl?: string;
  /** Key prefix / schema / queue name stem, unique per scenario run. */
  readonly namespace: string;
  /** Steps per run (the chain's depth). */
  readonly stepsPerRun: number;
  /** Jobs a worker process runs at once. */
  readonly concurrency: number;
}

/** The orchestrating side of a contender: prepares storage, enqueues runs, cleans up. */
export interface ContenderClient {
  /** Starts runs `first … first + count − 1` (each run's first step enqueued). */
  enqueueRuns(first: number, count: number): Promise<void>;
  /** Checks the stored outcome after the worker reported every run done; returns problems found. */
  verify(runs: number): Promise<string[]>;
  /** Closes connections and removes everything the contender stored. */
  destroy(): Promise<void>;
}

/** A running worker inside the worker process. */
export interface ContenderWorker {
  close(): Promise<void>;
}

/**
 * A queue system running the bench's chain workload: `stepsPerRun` no-op steps per run, each step's
 * handler enqueueing (or returning) the next.
 *
 * @remarks
 * Both sides live in one module so the workload is written once per contender: the orchestrating
 * process calls {@link QueueContender.open}, the spawned worker process {@link QueueContender.startWorker}.
 */
export interface QueueContender {
  readonly id: string;
  readonly label: string;
  /** Creates storage (schemas, queues) and returns the enqueueing side. */
  open(env: ContenderEnv): Promise<ContenderClient>;
  /** Starts consuming at `env.concurrency`; handlers report to `probe`. */
  startWorker(env: ContenderEnv, probe: StepProbe): Promise<ContenderWorker>;
}
