import { describe, expect, it } from 'vitest';
import { classifyLiveness } from './classify-liveness.js';

describe('classifyLiveness', () => {
  it('is alive below staleAfterMs, stale below 3×, dead from 3×', () => {
    expect(classifyLiveness(0, 100)).toBe('alive');
    expect(classifyLiveness(99, 100)).toBe('alive');
    expect(classifyLiveness(100, 100)).toBe('stale');
    expect(classifyLiveness(299, 100)).toBe('stale');
    expect(classifyLiveness(300, 100)).toBe('dead');
  });
});
