import { describe, expect, it } from 'vitest';
import { runBench } from './cli/run-bench.js';

// Every scenario at smoke sizes through the same code paths as `pnpm bench`: the harness must not rot.
// Needs the real Redis and PostgreSQL (REDIS_URL / DATABASE_URL override the local defaults).
describe('pnpm bench --smoke', () => {
  it('runs every scenario, verifies each contender and produces rows', async () => {
    const lines: string[] = [];
    const report = await runBench({ scenarios: [], smoke: true, print: (text) => lines.push(text) });
    expect(report.scenarios.map((s) => s.id)).toEqual([
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
      'p17',
    ]);
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
  }, 400_000);
});
