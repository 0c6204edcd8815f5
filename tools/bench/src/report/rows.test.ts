import { describe, expect, it } from 'vitest';
import { rowsWithRatios } from './rows.js';

describe('rowsWithRatios', () => {
  it('puts Floxide first and divides by the same case, inverting lower-is-better units', () => {
    const rows = rowsWithRatios({
      floxide: [{ contender: 'Floxide', case: 'a', figure: 100 }],
      others: [
        { contender: 'Peer', case: 'a', figure: 25 },
        { contender: 'Peer', case: 'b', figure: 10 },
      ],
      unit: 'steps/s',
      higherIsBetter: true,
    });
    expect(rows.map((r) => [r.contender, r.ratioVsFloxide])).toEqual([
      ['Floxide', undefined],
      ['Peer', 4],
      ['Peer', undefined],
    ]);
    const latency = rowsWithRatios({
      floxide: [{ contender: 'Floxide', figure: 2 }],
      others: [{ contender: 'Peer', figure: 6 }],
      unit: 'ms',
      higherIsBetter: false,
    });
    expect(latency[1]?.ratioVsFloxide).toBe(3);
  });
});
