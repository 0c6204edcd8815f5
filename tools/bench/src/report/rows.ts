import { safeRatio } from '../measure/stats.js';
import type { ResultRow } from './scenario-result.js';

/** A contender's figure before the ratio against Floxide is known. */
export interface Figure {
  readonly contender: string;
  readonly case?: string;
  readonly figure: number;
  readonly note?: string;
}

/**
 * Builds rows with "Floxide ahead by" ratios: each non-Floxide figure is compared with the Floxide
 * figure of the same case.
 *
 * @remarks
 * `higherIsBetter` decides the direction: throughput ratios are Floxide ÷ other, latency and cost
 * ratios other ÷ Floxide, so above 1× always means Floxide is ahead.
 */
export function rowsWithRatios(options: {
  readonly floxide: readonly Figure[];
  readonly others: readonly Figure[];
  readonly unit: string;
  readonly higherIsBetter: boolean;
}): ResultRow[] {
  const floxideByCase = new Map(options.floxide.map((f) => [f.case ?? '', f.figure]));
  const toRow = (f: Figure, ratio: number | undefined): ResultRow => ({
    contender: f.contender,
    ...(f.case === undefined ? {} : { case: f.case }),
    figure: f.figure,
    unit: options.unit,
    ...(ratio === undefined ? {} : { ratioVsFloxide: ratio }),
    ...(f.note === undefined ? {} : { note: f.note }),
  });
  return [
    ...options.floxide.map((f) => toRow(f, undefined)),
    ...options.others.map((f) => {
      const floxide = floxideByCase.get(f.case ?? '');
      if (floxide === undefined) return toRow(f, undefined);
      return toRow(f, options.higherIsBetter ? safeRatio(floxide, f.figure) : safeRatio(f.figure, floxide));
    }),
  ];
}
