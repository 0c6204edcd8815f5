import { describe, expect, it } from 'vitest';
import type { RunEvent } from '@floxide/distributed';
import { stepTimeline } from './step-timeline.js';

let seq = 0;
const ev = (e: Omit<RunEvent, 'seq' | 'runId'>): RunEvent => ({ seq: ++seq, runId: 'r', ...e });

describe('stepTimeline', () => {
  it('pairs each start with the commit that ended the attempt, and keeps running ones open', () => {
    const error = { name: 'Error', code: 'NODE_FAILED', message: 'boom' };
    const steps = stepTimeline([
      ev({ at: 0, type: 'run.status', status: 'running' }),
      ev({ at: 10, type: 'step.started', itemId: 'i1', node: 'a', attempt: 1 }),
      ev({ at: 25, type: 'step.committed', itemId: 'i1', node: 'a', attempt: 1 }),
      ev({ at: 30, type: 'step.started', itemId: 'i2', node: 'b', attempt: 1 }),
      ev({ at: 31, type: 'step.retrying', itemId: 'i2', node: 'b', attempt: 1, error }),
      ev({ at: 50, type: 'step.started', itemId: 'i2', node: 'b', attempt: 2 }),
      ev({ at: 60, type: 'step.failed', itemId: 'i2', node: 'b', attempt: 2, error }),
      ev({ at: 70, type: 'step.started', itemId: 'i3', node: 'c', attempt: 1 }),
    ]);
    expect(steps.map((s) => [s.node, s.attempt, s.result, s.durationMs])).toEqual([
      ['a', 1, 'committed', 15],
      ['b', 1, 'retrying', 1],
      ['b', 2, 'failed', 10],
      ['c', 1, 'running', undefined],
    ]);
    expect(steps[2]?.error?.message).toBe('boom');
  });

  it('times a re-leased attempt from its last start (the execution that counted)', () => {
    const steps = stepTimeline([
      ev({ at: 0, type: 'step.started', itemId: 'i', node: 'a', attempt: 1 }),
      ev({ at: 500, type: 'step.started', itemId: 'i', node: 'a', attempt: 1 }),
      ev({ at: 520, type: 'step.committed', itemId: 'i', node: 'a', attempt: 1 }),
    ]);
    expect(steps).toHaveLength(1);
    expect(steps[0]?.durationMs).toBe(20);
  });
});
