import { describe, expect, it } from 'vitest';
import { StepProbe } from './step-probe.js';

describe('StepProbe', () => {
  it('counts steps and finished runs, and records step-to-step latency', () => {
    const probe = new StepProbe({ stepsPerRun: 3, recordLatency: true });
    const finished: number[] = [];
    probe.onRunFinished((n) => finished.push(n));
    for (const run of [1, 2]) {
      for (let step = 0; step < 3; step++) {
        probe.begin(run, step);
        probe.end(run, step);
      }
    }
    const report = probe.report();
    expect(report).toMatchObject({ steps: 6, runsDone: 2, anomalies: 0 });
    expect(report.latenciesMs).toHaveLength(4);
    expect(finished).toEqual([1, 2]);
    expect(report.lastStepAt).toBeGreaterThanOrEqual(report.firstStepAt);
  });

  it('flags a repeated or skipped step as an anomaly', () => {
    const probe = new StepProbe({ stepsPerRun: 3, recordLatency: false });
    probe.begin(7, 0);
    probe.end(7, 0);
    probe.begin(7, 0);
    probe.begin(8, 1);
    expect(probe.progress().anomalies).toBe(2);
    expect(probe.report().latenciesMs).toEqual([]);
  });

  it('marks the time a step count is reached', () => {
    const probe = new StepProbe({ stepsPerRun: 2, recordLatency: false });
    probe.markSteps([2, 5]);
    probe.begin(1, 0);
    expect(probe.markTime(2)).toBeUndefined();
    probe.begin(1, 1);
    expect(probe.markTime(2)).toBeGreaterThan(0);
    expect(probe.markTime(5)).toBeUndefined();
    expect(probe.markTime(3)).toBeUndefined();
  });
});
