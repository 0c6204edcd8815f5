import type { FaultBackendName } from './fault-target.js';

/** How big the fault cases are: `ci` keeps the whole chaos CI run within minutes, `full` is the size. */
export interface FaultSize {
  readonly name: 'ci' | 'full';
  /** SIGKILL storm: runs, how long workers are killed, the pause between kills (ms, random in range). */
  readonly storm: {
    readonly runs: number;
    readonly chaosMs: number;
    readonly killEveryMs: readonly [number, number];
  };
  /** Server restart: runs started before the server goes down, and how long it stays down (ms). */
  readonly restart: { readonly runs: number; readonly downMs: number };
  /** Cancel/pause under load: runs of slow nodes, how many are cancelled, how many paused. */
  readonly cancelPause: {
    readonly runs: number;
    readonly cancel: number;
    readonly pause: number;
    readonly nodeMs: number;
  };
  /** Clock skew: runs of each kind (retries, deadlines, pause/resume) on workers ±1 h off. */
  readonly skew: { readonly runs: number };
  /**
   * Wide fan-out: branches of the wide run, and how generous its timeout is (ms); `bigBefore` is the size
   * (characters) of one big output run on the same workers first (issue 11 saw 100,000 branches stall after a
   * 50 MB output on Redis), 0 for none.
   */
  readonly wide: { readonly branches: number; readonly timeoutMs: number; readonly bigBefore: number };
  /** Every run of a case (but the wide one) must end within this (ms) after the fault is over. */
  readonly settleMs: number;
}

/** The fault sizes, by name. */
export const FAULT_SIZES: Readonly<Record<FaultSize['name'], FaultSize>> = {
  ci: {
    name: 'ci',
    storm: { runs: 40, chaosMs: 6_000, killEveryMs: [1_000, 2_000] },
    restart: { runs: 20, downMs: 3_000 },
    cancelPause: { runs: 20, cancel: 6, pause: 6, nodeMs: 1_500 },
    skew: { runs: 2 },
    wide: { branches: 200, timeoutMs: 120_000, bigBefore: 2_000_000 },
    settleMs: 60_000,
  },
  full: {
    name: 'full',
    storm: { runs: 500, chaosMs: 20_000, killEveryMs: [1_000, 2_000] },
    restart: { runs: 100, downMs: 3_000 },
    cancelPause: { runs: 100, cancel: 30, pause: 30, nodeMs: 2_000 },
    skew: { runs: 5 },
    wide: { branches: 100_000, timeoutMs: 900_000, bigBefore: 50_000_000 },
    settleMs: 180_000,
  },
};

/** What a fault case gets: the backend kind to use, the size, and a way to print progress. */
export interface FaultContext {
  readonly backend: FaultBackendName;
  readonly size: FaultSize;
  /** Prints one progress line (indented under the case). */
  readonly note: (line: string) => void;
}

/** One fault case: load, a fault injected under it, and every expectation checked afterwards. */
export interface FaultCase {
  readonly name: string;
  /** Runs the case; returns one line of figures and every violated expectation. */
  run(ctx: FaultContext): Promise<{ readonly outcome: string; readonly violations: readonly string[] }>;
}

/** The figures of one fault case on one backend. */
export interface FaultResult {
  readonly backend: string;
  readonly name: string;
  readonly outcome: string;
  readonly ms: number;
  readonly violations: readonly string[];
}
