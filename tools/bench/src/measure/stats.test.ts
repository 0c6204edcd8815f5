import { describe, expect, it } from 'vitest';
import { growthExponent, median, percentile, safeRatio } from './stats.js';

describe('percentile', () => {
  it('takes the nearest rank of unsorted values', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile(values, 0)).toBe(1);
    expect(median([3, 1, 2])).toBe(2);
  });

  it('is NaN for no values', () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('safeRatio', () => {
  it('divides, and refuses a zero or infinite denominator', () => {
    expect(safeRatio(10, 4)).toBe(2.5);
    expect(safeRatio(1, 0)).toBeNaN();
    expect(safeRatio(1, Number.POSITIVE_INFINITY)).toBeNaN();
  });
});

describe('growthExponent', () => {
  it('is 1 for linear and 2 for quadratic growth', () => {
    expect(
      growthExponent([
        { n: 10, ms: 5 },
        { n: 100, ms: 50 },
        { n: 1000, ms: 500 },
      ]),
    ).toBeCloseTo(1, 6);
    expect(
      growthExponent([
        { n: 10, ms: 1 },
        { n: 100, ms: 100 },
      ]),
    ).toBeCloseTo(2, 6);
  });

  it('needs two usable points', () => {
    expect(growthExponent([{ n: 10, ms: 5 }])).toBeNaN();
  });
});
