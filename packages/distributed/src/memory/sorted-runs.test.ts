import { describe, expect, it } from 'vitest';
import type { RunInfo } from '../contracts/records.js';
import { SortedRuns } from './sorted-runs.js';

function run(n: number): RunInfo {
  return { runId: `r${n}`, workflow: 'w', version: 1, status: 'queued', input: null, createdAt: n };
}

const byTime = (a: RunInfo, b: RunInfo): number => a.createdAt - b.createdAt;

describe('SortedRuns', () => {
  it('stays sorted through thousands of inserts and removals in random order, across block splits', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const sorted = new SortedRuns(byTime);
    const present = new Map<number, RunInfo>();
    for (let i = 0; i < 6_000; i++) {
      const n = Math.floor(random() * 5_000);
      const existing = present.get(n);
      if (existing) {
        sorted.remove(existing);
        present.delete(n);
      } else {
        const r = run(n);
        sorted.insert(r);
        present.set(n, r);
      }
    }
    const expected = [...present.keys()].sort((a, b) => a - b);
    expect([...sorted.ascending(() => 0)].map((r) => r.createdAt)).toEqual(expected);
    expect([...sorted.descending()].map((r) => r.createdAt)).toEqual([...expected].reverse());
    const bound = 2_500;
    expect([...sorted.ascending((r) => r.createdAt - bound)].map((r) => r.createdAt)).toEqual(
      expected.filter((n) => n >= bound),
    );
    expect([...sorted.descending((r) => r.createdAt - bound)].map((r) => r.createdAt)).toEqual(
      expected.filter((n) => n < bound).reverse(),
    );
  });

  it('iterates nothing when empty and ignores the removal of an absent run', () => {
    const sorted = new SortedRuns(byTime);
    sorted.remove(run(1));
    expect([...sorted.descending()]).toEqual([]);
    expect([...sorted.ascending(() => 0)]).toEqual([]);
  });
});
