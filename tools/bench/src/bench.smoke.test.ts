import { describe, expect, it } from 'vitest';
import { runBench } from './cli/run-bench.js';
import { EXPECTED_SCENARIO_IDS } from './scenarios/expected-scenario-ids.js';

// Every scenario at smoke sizes through the same code paths as `pnpm bench`: the harness must not rot.
// Needs the real Redis and PostgreSQL (REDIS_URL / DATABASE_URL override the local defaults).
describe('pnpm bench --smoke', () => {
  it('runs every scenario, verifies each contender and produces rows', async () => {
    const lines: string[] = [];
    // Strands on and off side by side, so the queue-only contenders (`--strands off|both`) stay runnable.
    const report = await runBench({
      scenarios: [],
      smoke: true,
      strands: 'both',
      print: (text) => lines.push(text),
    });
    expect(report.scenarios.map((s) => s.id)).toEqual(EXPECTED_SCENARIO_IDS);
    for (const scenario of report.scenarios) {
      expect({ id: scenario.id, verified: scenario.verified, checks: scenario.checks }).toMatchObject({
        id: scenario.id,
        verified: true,
      });
      expect(scenario.rows.length, scenario.id).toBeGreaterThan(0);
      expect(scenario.targets.length, scenario.id).toBeGreaterThan(0);
      for (const row of scenario.rows)
        expect(Number.isFinite(row.figure), `${scenario.id} ${row.contender} ${row.case ?? ''}`).toBe(true);
    }
    expect(lines.join('\n')).toContain('P7');
  }, 900_000);
});
