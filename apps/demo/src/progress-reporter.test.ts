import { describe, expect, it } from 'vitest';
import { createProgressReporter } from './progress-reporter.js';
import { describeSnapshot, type ProgressSnapshot } from './progress-snapshot.js';

const snap = (over: Partial<ProgressSnapshot>): ProgressSnapshot => ({
  runsTotal: 4,
  runsDone: 0,
  runsFailed: 0,
  steps: 0,
  retries: 0,
  failures: 0,
  workers: 2,
  kills: 0,
  elapsedMs: 0,
  ...over,
});

function buffer(isTTY: boolean): { text: () => string; write(t: string): boolean; isTTY: boolean } {
  let text = '';
  return {
    isTTY,
    text: () => text,
    write(t: string) {
      text += t;
      return true;
    },
  };
}

describe('progress reporter', () => {
  it('prints plain lines without escape codes when the stream is not a TTY, throttled', () => {
    const out = buffer(false);
    const reporter = createProgressReporter({ stream: out, plainEveryMs: 1_000 });
    reporter.update(snap({ steps: 1, elapsedMs: 0 }));
    reporter.update(snap({ steps: 2, elapsedMs: 300 }));
    reporter.update(snap({ steps: 3, runsDone: 1, elapsedMs: 1_200 }));
    reporter.stop(snap({ steps: 9, runsDone: 4, retries: 2, elapsedMs: 2_000 }));
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toEqual([
      '[0.0s] runs 0/4, steps 1, retries 0, failures 0, workers 2',
      '[1.2s] runs 1/4, steps 3, retries 0, failures 0, workers 2',
      '[2.0s] runs 4/4, steps 9, retries 2, failures 0, workers 2',
    ]);
    expect(out.text()).not.toContain('\u001b[');
  });

  it('skips a plain line that says nothing new', () => {
    const out = buffer(false);
    const reporter = createProgressReporter({ stream: out, plainEveryMs: 0 });
    reporter.update(snap({ steps: 1, elapsedMs: 0 }));
    reporter.update(snap({ steps: 1, elapsedMs: 5_000 }));
    expect(out.text().trimEnd().split('\n')).toHaveLength(1);
  });

  it('draws a progress bar on a TTY', () => {
    const out = buffer(true);
    const reporter = createProgressReporter({ stream: out });
    reporter.update(snap({ steps: 3, runsDone: 2, kills: 1 }));
    reporter.stop(snap({ steps: 8, runsDone: 4, kills: 1 }));
    expect(out.text()).toContain('runs ');
    expect(out.text()).toContain('4/4');
    expect(out.text()).toContain('(1 killed)');
  });

  it('describes kills and failed runs only when there are some', () => {
    expect(describeSnapshot(snap({}))).not.toMatch(/killed|failed\)/);
    expect(describeSnapshot(snap({ kills: 3, runsFailed: 1, runsDone: 1 }))).toContain('(1 failed)');
    expect(describeSnapshot(snap({ kills: 3 }))).toContain('3 workers killed');
  });
});
