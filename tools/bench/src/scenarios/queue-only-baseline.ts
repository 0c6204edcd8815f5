import { formatNumber } from '../report/format-number.js';
import type { TargetResult } from '../report/scenario-result.js';

/**
 * Figures of the last full run before strands (the root README's table: 2 × AMD EPYC, load average
 * 0.6–1.7, 2,000 runs for P3/P4, 500 for P5). Issue 13 asks the queue-only mode (`strands: false`) to
 * stay within 10% of them. Throughputs are kept as ratios to a peer measured in the same run: those
 * travel between machines and loads far better than steps/s.
 */
export const PRE_STRANDS = {
  p3VsBullmqChain: 0.35,
  p3VsBullmqFlow: 0.29,
  p4VsGraphile: 1.45,
  p4VsPgBoss: 1.03,
  p5RedisRoundTrips: 3.21,
  p5RedisServerCalls: 63.1,
  p5PostgresTransactions: 1.4,
} as const;

/** "Within 10%" of a ratio where higher is better (Floxide ÷ peer): at least 0.9 × the figure before. */
export function queueOnlyRatioTarget(target: string, ratio: number, before: number): TargetResult {
  return {
    target: `${target}: strands: false within 10% of before strands (${formatNumber(before)}×)`,
    met: Number.isFinite(ratio) && ratio >= 0.9 * before,
    actual: Number.isFinite(ratio)
      ? `${formatNumber(ratio)}× (${formatNumber(ratio / before)} of before)`
      : 'not measured',
  };
}

/** "Within 10%" of a cost where lower is better: at most 1.1 × the figure before. */
export function queueOnlyCostTarget(target: string, value: number, before: number): TargetResult {
  return {
    target: `${target}: strands: false within 10% of before strands (${formatNumber(before)})`,
    met: Number.isFinite(value) && value <= 1.1 * before,
    actual: Number.isFinite(value)
      ? `${formatNumber(value)} (${formatNumber(value / before)} of before)`
      : 'not measured',
  };
}
