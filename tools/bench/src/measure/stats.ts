/** Percentile `p` (0–100) of `values` by nearest rank; `NaN` for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Median of `values`; `NaN` for an empty list. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** `numerator / denominator`, or `NaN` when the denominator is not a positive finite number. */
export function safeRatio(numerator: number, denominator: number): number {
  return denominator > 0 && Number.isFinite(denominator) ? numerator / denominator : Number.NaN;
}

/**
 * Growth exponent k of `time ∝ N^k` fitted by least squares on log–log points; 1 means linear.
 * Needs at least two points with distinct positive N and positive time.
 */
export function growthExponent(points: readonly { n: number; ms: number }[]): number {
  const usable = points.filter((p) => p.n > 0 && p.ms > 0);
  if (usable.length < 2) return Number.NaN;
  const xs = usable.map((p) => Math.log(p.n));
  const ys = usable.map((p) => Math.log(p.ms));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * ((ys[i] as number) - my);
    den += (x - mx) ** 2;
  });
  return den === 0 ? Number.NaN : num / den;
}
