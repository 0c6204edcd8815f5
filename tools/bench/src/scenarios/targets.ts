import { formatNumber } from '../report/format-number.js';
import type { TargetResult } from '../report/scenario-result.js';

/** A "Floxide at least `min`× the other" target from a ratio (NaN = not measured = not met). */
export function ratioTarget(target: string, ratio: number, min: number, versus: string): TargetResult {
  return {
    target,
    met: Number.isFinite(ratio) && ratio >= min,
    actual: Number.isFinite(ratio) ? `${formatNumber(ratio)}× ${versus}` : `not measured (${versus})`,
  };
}

/** The ratio on the row of `contender` in `case`, NaN when absent. */
export function ratioOf(
  rows: readonly { contender: string; case?: string; ratioVsFloxide?: number }[],
  contender: string,
  rowCase?: string,
): number {
  const row = rows.find((r) => r.contender === contender && (rowCase === undefined || r.case === rowCase));
  return row?.ratioVsFloxide ?? Number.NaN;
}
