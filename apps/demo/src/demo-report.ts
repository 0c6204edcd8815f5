import type { RunStatus } from '@floxide/distributed';

/** The outcome of one document's run, checked against the directly computed result. */
export interface DemoRunResult {
  readonly docId: string;
  readonly runId: string;
  readonly status: RunStatus;
  readonly chunks: number;
  readonly words?: number;
  readonly tone?: string;
  readonly verdict?: string;
  readonly keywords?: readonly string[];
  /** Steps committed for the run. */
  readonly steps: number;
  /** Retries the run needed. */
  readonly retries: number;
  /** Output and context counter match the expected values exactly. */
  readonly verified: boolean;
  /** Why verification failed, when it did. */
  readonly problem?: string;
}

/** Everything the demo reports at the end. */
export interface DemoReport {
  readonly backend: string;
  /** The Redis prefix or PostgreSQL schema the runs lived in (absent on memory). */
  readonly namespace?: string;
  readonly workers: number;
  readonly results: readonly DemoRunResult[];
  readonly elapsedMs: number;
  readonly steps: number;
  readonly retries: number;
  readonly failures: number;
  readonly kills: number;
  /** Worker processes that died on their own (should be 0). */
  readonly crashes: number;
  /** Every run completed with exactly the expected output and context. */
  readonly verified: boolean;
}
