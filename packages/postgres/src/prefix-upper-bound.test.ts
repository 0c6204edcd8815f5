import { describe, expect, it } from 'vitest';
import { compareRunIds } from '@floxide/distributed';
import { prefixUpperBound } from './postgres-run-info-store.js';

describe('prefixUpperBound', () => {
  it('increments the last code point', () => {
    expect(prefixUpperBound('ab')).toBe('ac');
    expect(prefixUpperBound('a-')).toBe('a.');
    expect(prefixUpperBound('é')).toBe('ê');
  });

  it('skips the surrogate range and carries over U+10FFFF', () => {
    expect(prefixUpperBound('a\u{d7ff}')).toBe('a\u{e000}');
    expect(prefixUpperBound('a\u{10ffff}')).toBe('b');
    expect(prefixUpperBound('\u{10ffff}\u{10ffff}')).toBeUndefined();
  });

  it('is above every string with the prefix and at most the first string after them, in byte order', () => {
    const upper = prefixUpperBound('ab') as string;
    for (const id of ['ab', 'ab-1', 'ab\u{10ffff}x', 'ab\u{1f600}', 'ab\u{ffff}']) {
      expect(compareRunIds(id, upper)).toBeLessThan(0);
    }
    for (const id of ['ac', 'b', 'ac-1']) expect(compareRunIds(id, upper)).toBeGreaterThanOrEqual(0);
  });
});
