import { describe, expect, it } from 'vitest';
import { selectScenarios } from './run-bench.js';

describe('selectScenarios', () => {
  it('selects all by default and by id in the order given', () => {
    expect(selectScenarios([]).map((s) => s.id)).toEqual([
      'p1',
      'p2',
      'p3',
      'p4',
      'p5',
      'p6',
      'p7',
      'p10',
      'p11',
      'p12',
      'p13',
      'p14',
      'p15',
      'p16',
    ]);
    expect(selectScenarios(['P3', 'p1']).map((s) => s.id)).toEqual(['p3', 'p1']);
  });

  it('refuses an unknown id', () => {
    expect(() => selectScenarios(['p9'])).toThrow(/unknown scenario 'p9'/);
  });
});
