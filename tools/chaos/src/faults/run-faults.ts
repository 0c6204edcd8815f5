import { performance } from 'node:perf_hooks';
import type { FaultCase, FaultResult, FaultSize } from './fault-case.js';
import type { FaultBackendName } from './fault-target.js';
import { cancelPauseCase } from './cancel-pause-case.js';
import { clockSkewCase } from './clock-skew-case.js';
import { restartCase } from './restart-case.js';
import { stormCase } from './storm-case.js';
import { wideFanOutCase } from './wide-fanout-case.js';

/** Every fault case, in the order they run. */
export function faultCases(): FaultCase[] {
  return [stormCase(), restartCase(), cancelPauseCase(), clockSkewCase(), wideFanOutCase()];
}

/** Options of {@link runFaults}. */
export interface RunFaultsOptions {
  readonly backends: readonly FaultBackendName[];
  readonly size: FaultSize;
  /** Only the cases whose name contains one of these comma-separated parts (case-insensitive). */
  readonly only?: string;
  /** Where progress lines go (default: nowhere). */
  readonly print?: (line: string) => void;
}

/**
 * Runs every fault case on each backend, one after another, and returns the figures. Bounded in time:
 * every wait has a timeout and an overrun is a violation; a case that throws is a violation too.
 */
export async function runFaults(options: RunFaultsOptions): Promise<FaultResult[]> {
  const print = options.print ?? ((): void => undefined);
  const only = options.only?.toLowerCase().split(',');
  const cases = faultCases().filter(
    (c) => only === undefined || only.some((part) => c.name.toLowerCase().includes(part)),
  );
  const results: FaultResult[] = [];
  for (const backend of options.backends) {
    print(`▶ ${backend}: ${cases.length} fault cases (${options.size.name} size)`);
    for (const c of cases) {
      const began = performance.now();
      let outcome: string;
      let violations: readonly string[];
      try {
        ({ outcome, violations } = await c.run({
          backend,
          size: options.size,
          note: (line) => print(`       · ${line}`),
        }));
      } catch (error) {
        outcome = 'threw';
        violations = [
          `the case threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        ];
      }
      const ms = Math.round(performance.now() - began);
      const result: FaultResult = { backend, name: c.name, outcome, ms, violations };
      results.push(result);
      print(`  ${violations.length === 0 ? 'ok  ' : 'FAIL'} ${c.name.padEnd(28)} ${outcome} · ${ms} ms`);
      for (const v of violations) print(`       ✗ ${v}`);
    }
  }
  return results;
}
