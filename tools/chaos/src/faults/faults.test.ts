import { describe, expect, it } from 'vitest';
import { FAULT_SIZES } from './fault-case.js';
import { faultCases, runFaults } from './run-faults.js';

// CI has Redis and PostgreSQL: both run, nothing is skipped (an unreachable service fails the test).
describe('chaos, faults, ci size', () => {
  it('has the five fault cases', () => {
    expect(faultCases().map((c) => c.name)).toEqual([
      'SIGKILL storm',
      'server restart',
      'cancel/pause under load',
      'clock skew ±1 h',
      'wide fan-out',
    ]);
  });

  it.each([['redis'], ['postgres']] as const)(
    'every fault case holds on %s',
    { timeout: 600_000 },
    async (backend) => {
      const lines: string[] = [];
      const results = await runFaults({
        backends: [backend],
        size: FAULT_SIZES.ci,
        print: (l) => lines.push(l),
      });
      expect(results).toHaveLength(5);
      const violations = results.flatMap((r) => r.violations.map((v) => `${r.name}: ${v}`));
      expect(violations, lines.join('\n')).toEqual([]);
    },
  );
});
