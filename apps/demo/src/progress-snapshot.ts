/** What the demo knows about its progress at one instant; reporters render it. */
export interface ProgressSnapshot {
  readonly runsTotal: number;
  readonly runsDone: number;
  readonly runsFailed: number;
  /** Steps committed with success, over all runs. */
  readonly steps: number;
  /** Retries scheduled (durable delayed items), over all runs. */
  readonly retries: number;
  /** Steps that failed for good, over all runs. */
  readonly failures: number;
  /** Worker processes (or in-process workers) currently running. */
  readonly workers: number;
  /** Workers killed so far with SIGKILL (`--kill-every`). */
  readonly kills: number;
  readonly elapsedMs: number;
}

/** Renders progress while the demo runs. */
export interface ProgressReporter {
  update(snapshot: ProgressSnapshot): void;
  /** Renders the final snapshot and releases the terminal. */
  stop(snapshot: ProgressSnapshot): void;
}

/** One plain-text line describing a snapshot (used by the non-TTY reporter and in logs). */
export function describeSnapshot(s: ProgressSnapshot): string {
  const kills = s.kills > 0 ? `, ${s.kills} workers killed` : '';
  return (
    `[${(s.elapsedMs / 1_000).toFixed(1)}s] runs ${s.runsDone}/${s.runsTotal}` +
    `${s.runsFailed > 0 ? ` (${s.runsFailed} failed)` : ''}, steps ${s.steps}, retries ${s.retries}, ` +
    `failures ${s.failures}, workers ${s.workers}${kills}`
  );
}
