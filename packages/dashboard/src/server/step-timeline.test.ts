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

  it('shows a parked attempt as waiting, and as waited until the next attempt once it is answered', () => {
    const waiting = stepTimeline(
      [
        ev({ at: 0, type: 'step.started', itemId: 'i', node: 'ask', attempt: 1 }),
        ev({ at: 5, type: 'step.started', itemId: 'j', node: 'other', attempt: 1 }),
      ],
      new Set(['i']),
    );
    expect(waiting.map((s) => [s.node, s.result])).toEqual([
      ['ask', 'waiting'],
      ['other', 'running'],
    ]);
    const answered = stepTimeline(
      [
        ev({ at: 0, type: 'step.started', itemId: 'i', node: 'ask', attempt: 1 }),
        ev({ at: 900, type: 'step.started', itemId: 'i', node: 'ask', attempt: 3 }),
        ev({ at: 902, type: 'step.committed', itemId: 'i', node: 'ask', attempt: 3 }),
      ],
      new Set(),
    );
    expect(answered.map((s) => [s.attempt, s.result, s.durationMs])).toEqual([
      [1, 'waited', 900],
      [3, 'committed', 2],
    ]);
  });
});
