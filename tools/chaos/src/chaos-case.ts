import type { AnyWorkflow } from '@floxide/core';
import type { Backend, DistributedOrchestrator } from '@floxide/distributed';

/** How big a chaos pass is: `ci` runs in a minute or two per backend, `full` is the real thing. */
export interface ChaosSize {
  readonly name: 'ci' | 'full';
  /** Healthy runs started beside every bad one; all must complete. */
  readonly healthy: number;
  /** Size of the big output / context value (characters). */
  readonly bigBytes: number;
  /** How long one bad run may take to end. */
  readonly caseTimeoutMs: number;
  /** How long the big-value runs may take. */
  readonly bigTimeoutMs: number;
  /** How long a run of an unknown workflow is watched before a knowing worker joins. */
  readonly unknownObserveMs: number;
}

/** The sizes, by name. */
export const SIZES: Readonly<Record<ChaosSize['name'], ChaosSize>> = {
  ci: {
    name: 'ci',
    healthy: 10,
    bigBytes: 2_000_000,
    caseTimeoutMs: 20_000,
    bigTimeoutMs: 30_000,
    unknownObserveMs: 1_500,
  },
  full: {
    name: 'full',
    healthy: 10,
    bigBytes: 50_000_000,
    caseTimeoutMs: 30_000,
    bigTimeoutMs: 120_000,
    unknownObserveMs: 5_000,
  },
};

/** What a case gets: the backend, an orchestrator knowing every workflow, and a way to add a worker. */
export interface CaseContext {
  readonly backend: Backend;
  readonly orchestrator: DistributedOrchestrator;
  readonly size: ChaosSize;
  /** Starts one more worker for `workflows` on the same backend; the returned function closes it. */
  startWorker(workflows: readonly AnyWorkflow[]): Promise<() => Promise<void>>;
}

/** One bad-input case: a misbehaving run started beside healthy ones on the same workers. */
export interface ChaosCase {
  readonly name: string;
  /** Workflows the shared workers must know for this case. */
  readonly workflows: readonly AnyWorkflow[];
  /** Workflows only the orchestrator knows (the workers do not). */
  readonly orchestratorOnly?: readonly AnyWorkflow[];
  /** Runs the bad part; returns a one-line outcome and every violated expectation. */
  run(ctx: CaseContext): Promise<{ readonly outcome: string; readonly violations: readonly string[] }>;
}

/** The figures of one case on one backend. */
export interface CaseResult {
  readonly backend: string;
  readonly name: string;
  readonly outcome: string;
  /** Wall time of the bad part (ms). */
  readonly ms: number;
  readonly healthyCompleted: number;
  readonly healthyTotal: number;
  /** Slowest healthy run, start to end (ms). */
  readonly healthyMaxMs: number;
  readonly violations: readonly string[];
}
