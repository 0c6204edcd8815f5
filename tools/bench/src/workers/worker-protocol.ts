import type { OpCounts } from '../measure/op-counters.js';
import type { ContenderId } from './contender-registry.js';
import type { ContenderEnv } from './queue-contender.js';
import type { ProbeReport } from './step-probe.js';

/** Configuration of a worker process, passed in the `BENCH_WORKER_CONFIG` environment variable. */
export interface WorkerConfig {
  readonly contender: ContenderId;
  readonly env: ContenderEnv;
  /** The worker announces `complete` once this many runs finished. */
  readonly expectedRuns: number;
  readonly recordLatency: boolean;
  /** Count Redis / pg round trips in the worker process. */
  readonly countOps: boolean;
  /** Progress (and RSS sample) interval. */
  readonly progressMs: number;
  /** Step counts whose times the probe stamps (throughput windows). */
  readonly markSteps?: readonly number[];
}

/** One RSS sample of the worker process. */
export interface RssSample {
  readonly at: number;
  readonly steps: number;
  readonly rss: number;
}

/** Messages from the worker process. */
export type WorkerMessage =
  | { readonly type: 'ready' }
  | {
      readonly type: 'progress';
      readonly at: number;
      readonly steps: number;
      readonly runsDone: number;
      readonly anomalies: number;
    }
  | { readonly type: 'complete' }
  | {
      readonly type: 'report';
      readonly probe: ProbeReport;
      /** Ops between `ready` and `complete` (or stop, if never complete). */
      readonly ops: OpCounts;
      readonly rss: readonly RssSample[];
    }
  | { readonly type: 'failed'; readonly message: string };

/** Messages to the worker process. */
export type ParentMessage = { readonly type: 'stop' };
