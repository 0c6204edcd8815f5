/** Current time in epoch milliseconds with sub-millisecond precision. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** What a worker process saw, sent to the orchestrating process when it stops. */
export interface ProbeReport {
  /** Steps whose work began. */
  readonly steps: number;
  /** Runs whose last step finished. */
  readonly runsDone: number;
  /** Steps that ran for a run/step already seen, or out of order (duplicate or lost work). */
  readonly anomalies: number;
  readonly firstStepAt: number;
  readonly lastStepAt: number;
  /** Step-to-step latencies (ms): previous step's work done → next step's work begins. */
  readonly latenciesMs: readonly number[];
  /** Step counts asked for with {@link StepProbe.markSteps} and when they were reached. */
  readonly marks: readonly (readonly [count: number, at: number])[];
}

/**
 * Counts a chain workload's steps inside one worker process and checks each run advances 0, 1, …, last.
 *
 * @remarks
 * Every contender's handler calls {@link StepProbe.begin} when a step's work begins and
 * {@link StepProbe.end} when it is done (before it hands the successor to its queue, or returns it to
 * the engine), so latency is measured at the same points for every contender. The probe lives in the
 * worker process, so a map of "step done" times needs no clock in the payload.
 */
export class StepProbe {
  private steps = 0;
  private runsDone = 0;
  private anomalies = 0;
  private firstStepAt = 0;
  private lastStepAt = 0;
  private readonly nextStep = new Map<number, number>();
  private readonly doneAt = new Map<number, number>();
  private readonly latencies: number[] = [];
  private onRunDone: ((runsDone: number) => void) | undefined;
  private readonly marks = new Map<number, number>();

  constructor(private readonly options: { readonly stepsPerRun: number; readonly recordLatency: boolean }) {}

  /** Registers a callback for every finished run (the worker main uses it to report completion). */
  onRunFinished(callback: (runsDone: number) => void): void {
    this.onRunDone = callback;
  }

  /** Records the time at which the step count reaches each of `counts` (see {@link StepProbe.markTime}). */
  markSteps(counts: readonly number[]): void {
    for (const count of counts) this.marks.set(count, Number.NaN);
  }

  /** When the `count`-th step began (epoch ms), if {@link StepProbe.markSteps} asked for it and it happened. */
  markTime(count: number): number | undefined {
    const at = this.marks.get(count);
    return at === undefined || Number.isNaN(at) ? undefined : at;
  }

  /** A step of `run` begins; `step` counts from 0. */
  begin(run: number, step: number): void {
    const now = nowMs();
    if (this.steps === 0) this.firstStepAt = now;
    this.steps++;
    if (this.marks.has(this.steps)) this.marks.set(this.steps, now);
    const expected = this.nextStep.get(run) ?? 0;
    if (step !== expected) this.anomalies++;
    this.nextStep.set(run, step + 1);
    if (step > 0 && this.options.recordLatency) {
      const previous = this.doneAt.get(run);
      if (previous !== undefined) this.latencies.push(now - previous);
    }
  }

  /** The step's work is done (the successor is about to be handed over, or the run is finished). */
  end(run: number, step: number): void {
    const now = nowMs();
    this.lastStepAt = now;
    if (step === this.options.stepsPerRun - 1) {
      this.nextStep.delete(run);
      this.doneAt.delete(run);
      this.runsDone++;
      this.onRunDone?.(this.runsDone);
    } else if (this.options.recordLatency) {
      this.doneAt.set(run, now);
    }
  }

  /** Counters so far (cheap: no copy of the latencies). */
  progress(): { steps: number; runsDone: number; anomalies: number } {
    return { steps: this.steps, runsDone: this.runsDone, anomalies: this.anomalies };
  }

  /** The full report. */
  report(): ProbeReport {
    return {
      steps: this.steps,
      runsDone: this.runsDone,
      anomalies: this.anomalies,
      firstStepAt: this.firstStepAt,
      lastStepAt: this.lastStepAt,
      latenciesMs: this.latencies,
      marks: [...this.marks].filter(([, at]) => !Number.isNaN(at)),
    };
  }
}
