import { describe, expect, it } from 'vitest';
import { BACKEND_NAMES } from './backends.js';
import { SIZES } from './chaos-case.js';
import { runChaos } from './run-chaos.js';

// CI has Redis and PostgreSQL: every backend runs, none is skipped (an unreachable service fails the test).
describe('chaos, bad input, ci size', () => {
  it.each(BACKEND_NAMES.map((b) => [b]))(
    'every case holds on %s, healthy runs beside it complete',
    async (backend) => {
      const lines: string[] = [];
      const results = await runChaos({ backends: [backend], size: SIZES.ci, print: (l) => lines.push(l) });
      expect(results.length).toBeGreaterThanOrEqual(14);
      const violations = results.flatMap((r) => r.violations.map((v) => `${r.name}: ${v}`));
      expect(violations, lines.join('\n')).toEqual([]);
    },
  );
});
