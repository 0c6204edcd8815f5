import { describe, expect, it } from 'vitest';
import { rssTrend } from './rss-trend.js';

const MB = 1024 * 1024;

describe('rssTrend', () => {
  it('is about 1 for a flat process, ignoring warm-up', () => {
    const samples = [10, 50, 60, 61, 60, 62, 61, 60].map((mb) => ({ rss: mb * MB }));
    const trend = rssTrend(samples);
    // Nearest-rank medians: 2nd quarter [60, 61] → 60, last quarter [61, 60] → 60.
    expect(trend.growth).toBe(1);
    expect(trend).toMatchObject({ startMb: 10, peakMb: 62, endMb: 60, samples: 8 });
  });

  it('shows growth for a leaking process', () => {
    const samples = Array.from({ length: 20 }, (_, i) => ({ rss: (50 + i * 10) * MB }));
    expect(rssTrend(samples).growth).toBeGreaterThan(1.5);
  });

  it('is NaN without samples', () => {
    expect(rssTrend([]).growth).toBeNaN();
  });
});
