/** One contender's figure in a scenario table. */
export interface ResultRow {
  /** Who ran (e.g. `Floxide wf.run`, `LangGraph.js StateGraph`). */
  readonly contender: string;
  /** What was measured when a scenario has several figures per contender (e.g. `N = 2,000`). */
  readonly case?: string;
  readonly figure: number;
  readonly unit: string;
  /**
   * Floxide's figure divided by this row's (for "higher is better" units) or this row's divided by
   * Floxide's (for "lower is better"): above 1 means Floxide is ahead. `undefined` on Floxide's own row.
   */
  readonly ratioVsFloxide?: number;
  /** Free-form detail (runs done, caps hit, how a count was taken). */
  readonly note?: string;
}

/** A reported (not asserted) target of the brief and whether this run met it. */
export interface TargetResult {
  readonly target: string;
  readonly met: boolean;
  /** The measured value, in words (e.g. `312× LangGraph.js`). */
  readonly actual: string;
}

/** What one scenario produced: correctness first, then figures, ratios and targets. */
export interface ScenarioResult {
  /** Scenario id, e.g. `p1`. */
  readonly id: string;
  readonly title: string;
  /** Every contender's output was checked and correct. */
  readonly verified: boolean;
  /** What was checked, and any failure found. */
  readonly checks: readonly string[];
  readonly rows: readonly ResultRow[];
  readonly targets: readonly TargetResult[];
  /** Method notes: how figures were taken, what was skipped and why. */
  readonly notes: readonly string[];
  readonly durationMs: number;
}

/** A whole bench run: machine facts plus every scenario's result. */
export interface BenchReport {
  readonly startedAt: string;
  readonly mode: 'full' | 'smoke';
  /** How Floxide's workers ran (`--strands`): `on`, `off` (`strands: false`) or `both` side by side. */
  readonly strands: 'on' | 'off' | 'both';
  readonly machine: {
    readonly node: string;
    readonly cpus: number;
    readonly cpuModel: string;
    readonly platform: string;
    readonly redis?: string;
    readonly postgres?: string;
    /** 1-minute load average at start and end: other work on a shared machine skews every figure. */
    readonly loadAverage: { readonly start: number; readonly end: number };
  };
  readonly scenarios: readonly ScenarioResult[];
  readonly durationMs: number;
}
