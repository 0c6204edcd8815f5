import { describe, expect, it } from 'vitest';
import { formatNumber, formatRatio } from './format-number.js';

describe('formatNumber', () => {
  it('keeps more decimals for small figures and none for large ones', () => {
    expect(formatNumber(1_409_613.4)).toBe('1,409,613');
    expect(formatNumber(17.54)).toBe('17.5');
    expect(formatNumber(2.934)).toBe('2.93');
    expect(formatNumber(0.4567)).toBe('0.457');
  });

  it('never prints a tiny non-zero figure as 0, and a dash for unknown', () => {
    expect(formatNumber(0.00032)).toBe('0.00032');
    expect(formatNumber(Number.NaN)).toBe('—');
    expect(formatRatio(undefined)).toBe('—');
    expect(formatRatio(12.34)).toBe('12.3×');
  });
});
