import { describe, expect, it } from 'vitest';
import { checkFanJoin, FanJoinProbe } from './fan-join-probe.js';

/** Runs `run`'s parts on `probe`: the fan (optional), the given branches, the join with `seen` results. */
function play(
  probe: FanJoinProbe,
  run: number,
  branches: number[],
  options: { fan?: boolean; seen?: number } = {},
) {
  if (options.fan) {
    probe.begin(run, 'fan');
    probe.end(run, 'fan');
  }
  for (const i of branches) {
    probe.begin(run, i);
    probe.end(run, i);
  }
  if (options.seen !== undefined) {
    probe.begin(run, 'join');
    probe.end(run, 'join', options.seen);
  }
}

describe('FanJoinProbe + checkFanJoin', () => {
  it('accepts runs whose parts ran once each, spread over several processes', () => {
    const a = new FanJoinProbe(3);
    const b = new FanJoinProbe(3);
    play(a, 0, [0, 2], { fan: true });
    play(b, 0, [1], { seen: 3 });
    play(b, 1, [0, 1, 2], { fan: true, seen: 3 });
    expect(a.progress()).toEqual({ steps: 3, runsDone: 0, anomalies: 0 });
    expect(b.progress()).toEqual({ steps: 7, runsDone: 2, anomalies: 0 });
    expect(checkFanJoin([a.report(), b.report()], { runs: 2, width: 3, fanStep: true })).toEqual([]);
  });

  it('finds a branch run twice in two processes, a missing join, a missing fan and an early join', () => {
    const a = new FanJoinProbe(2);
    const b = new FanJoinProbe(2);
    play(a, 0, [0, 1], { fan: true, seen: 2 });
    play(b, 0, [1]);
    play(a, 1, [0, 1], { fan: true });
    play(b, 2, [0, 1], { seen: 1 });
    const problems = checkFanJoin([a.report(), b.report()], { runs: 3, width: 2, fanStep: true });
    expect(problems).toEqual([
      '1 step(s) ran more than once (run 0 branch 1 ×2)',
      '2 step(s) never ran (run 1 join, run 2 fan)',
      '1 bad join(s) (run 2: join saw 1 of 2 branch results)',
    ]);
  });

  it('does not expect a fan step from a contender without one, and flags steps of unknown runs', () => {
    const a = new FanJoinProbe(1);
    play(a, 0, [0], { seen: 1 });
    play(a, 5, [0]);
    expect(checkFanJoin([a.report()], { runs: 1, width: 1, fanStep: false })).toEqual([
      '1 step(s) of an unknown run or part',
    ]);
  });
});
