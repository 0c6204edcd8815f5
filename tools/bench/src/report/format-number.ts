/** Formats a figure for a table: thousands separators, at most 3 significant decimals below 100. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  // A collapse (e.g. 0.0003×) must not print as 0.
  if (abs > 0 && abs < 0.001) return value.toPrecision(2);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** Formats a ratio as `12.3×`; `—` when unknown. */
export function formatRatio(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return `${formatNumber(value)}×`;
}
