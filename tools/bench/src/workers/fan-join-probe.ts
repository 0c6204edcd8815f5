import { nowMs } from './step-probe.js';

/** The part of a fan-out → join run a step is: the fan step, branch `i` (0-based), or the join. */
export type FanJoinPart = 'fan' | number | 'join';

/** What one worker process saw of the fan-out → join workload, sent to the orchestrator when it stops. */
export interface FanJoinProbeReport {
  readonly steps: number;
  /** Joins that ended in this process (runs done). */
  readonly joinsDone: number;
  /** Joins that saw fewer or more branch results than the width (a join that fired too early or twice). */
  readonly badJoins: readonly string[];
  readonly firstStepAt: number;
  readonly lastStepAt: number;
  /**
   * Every step that began here, as `[run, part]` with part −1 = fan, 0 … width − 1 = branch, width = join:
   * the orchestrator merges the lists of every worker process to check each part ran exactly once.
   */
  readonly began: readonly (readonly [run: number, part: number])[];
}

/**
 * Records the fan-out → join workload's steps in one worker process.
 *
 * @remarks
 * With several worker processes the branches of one run land in different processes, so "each branch
 * and join exactly once" cannot be judged here: the probe lists what began, and
 * {@link checkFanJoin} judges the union. A join reports how many branch results it received (each
 * contender's own way: Floxide's join input, BullMQ `getChildrenValues`, pg-boss's counter row), which
 * shows a join that ran before every branch was done.
 */
export class FanJoinProbe {
  private steps = 0;
  private joinsDone = 0;
  private firstStepAt = 0;
  private lastStepAt = 0;
  private readonly badJoins: string[] = [];
  private readonly began: [number, number][] = [];

  constructor(private readonly width: number) {}

  /** A step of `run` begins. */
  begin(run: number, part: FanJoinPart): void {
    const now = nowMs();
    if (this.steps === 0) this.firstStepAt = now;
    this.steps++;
    this.began.push([run, part === 'fan' ? -1 : part === 'join' ? this.width : part]);
  }

  /** A step's work is done; a join passes the number of branch results it received. */
  end(run: number, part: FanJoinPart, branchResults?: number): void {
    this.lastStepAt = nowMs();
    if (part !== 'join') return;
    this.joinsDone++;
    if (branchResults !== this.width)
      this.badJoins.push(`run ${run}: join saw ${branchResults ?? 'no'} of ${this.width} branch results`);
  }

  /** Counters so far, in the chain probe's progress shape (`runsDone` = joins done here). */
  progress(): { steps: number; runsDone: number; anomalies: number } {
    return { steps: this.steps, runsDone: this.joinsDone, anomalies: this.badJoins.length };
  }

  /** The full report. */
  report(): FanJoinProbeReport {
    return {
      steps: this.steps,
      joinsDone: this.joinsDone,
      badJoins: this.badJoins,
      firstStepAt: this.firstStepAt,
      lastStepAt: this.lastStepAt,
      began: this.began,
    };
  }
}

/**
 * Judges the reports of every worker process: each run's fan (when the contender has a fan step), each
 * branch and its join began exactly once across all processes, and every join saw every branch result.
 * Returns problems found (at most a few examples of each kind).
 */
export function checkFanJoin(
  reports: readonly FanJoinProbeReport[],
  shape: { readonly runs: number; readonly width: number; readonly fanStep: boolean },
): string[] {
  const { runs, width } = shape;
  const parts = width + 2; // fan, branches, join
  const counts = new Uint16Array(runs * parts);
  let outside = 0;
  for (const report of reports) {
    for (const [run, part] of report.began) {
      if (run < 0 || run >= runs || part < -1 || part > width) outside++;
      else counts[run * parts + part + 1] = (counts[run * parts + part + 1] ?? 0) + 1;
    }
  }
  const problems: string[] = [];
  if (outside > 0) problems.push(`${outside} step(s) of an unknown run or part`);
  const describe = (part: number): string =>
    part === -1 ? 'fan' : part === width ? 'join' : `branch ${part}`;
  const twice: string[] = [];
  const never: string[] = [];
  for (let run = 0; run < runs; run++) {
    for (let part = shape.fanStep ? -1 : 0; part <= width; part++) {
      const n = counts[run * parts + part + 1] ?? 0;
      if (n > 1) twice.push(`run ${run} ${describe(part)} ×${n}`);
      else if (n === 0) never.push(`run ${run} ${describe(part)}`);
    }
  }
  const sample = (list: string[]): string => list.slice(0, 3).join(', ') + (list.length > 3 ? ', …' : '');
  if (twice.length > 0) problems.push(`${twice.length} step(s) ran more than once (${sample(twice)})`);
  if (never.length > 0) problems.push(`${never.length} step(s) never ran (${sample(never)})`);
  const badJoins = reports.flatMap((r) => r.badJoins);
  if (badJoins.length > 0) problems.push(`${badJoins.length} bad join(s) (${sample(badJoins)})`);
  return problems;
}
