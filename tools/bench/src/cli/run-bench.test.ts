import { describe, expect, it } from 'vitest';
import { EXPECTED_SCENARIO_IDS } from '../scenarios/expected-scenario-ids.js';
import { selectScenarios } from './run-bench.js';

describe('selectScenarios', () => {
  it('selects all by default and by id in the order given', () => {
    expect(selectScenarios([]).map((s) => s.id)).toEqual(EXPECTED_SCENARIO_IDS);
    expect(selectScenarios(['P3', 'p1']).map((s) => s.id)).toEqual(['p3', 'p1']);
  });

  it('refuses an unknown id', () => {
    expect(() => selectScenarios(['p99'])).toThrow(/unknown scenario 'p99'/);
  });
});
