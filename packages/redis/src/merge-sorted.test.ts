import { describe, expect, it } from 'vitest';
import { compareUtf8, mergeSorted } from './merge-sorted.js';

const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('mergeSorted', () => {
  it('compares like Redis (UTF-8 byte order), also where UTF-16 order differs', () => {
    const words = ['a', 'ab', 'b', '', 'é', 'z', '\uffff', '\ue000', '😀', '😀a', '\ud7ff', 'A', '0:x', '0:'];
    const sorted = [...words].sort(byteOrder);
    expect([...words].sort(compareUtf8)).toEqual(sorted);
    // Plain string order puts the emoji (a surrogate pair) before U+E000; bytes put it after.
    expect(['😀', '\ue000'].sort()).toEqual(['😀', '\ue000']);
    expect(['😀', '\ue000'].sort(compareUtf8)).toEqual(['\ue000', '😀']);
  });

  it('merges sorted lists, ascending or descending, and stops at the limit', () => {
    const lists = [['a1', 'c3', 'e5'], [], ['b2', 'd4'], ['a0', 'f6', '😀']];
    const all = lists.flat().sort(byteOrder);
    expect(mergeSorted(lists, 100, 1)).toEqual(all);
    expect(mergeSorted(lists, 4, 1)).toEqual(all.slice(0, 4));
    const desc = lists.map((l) => [...l].sort(byteOrder).reverse());
    expect(mergeSorted(desc, 3, -1)).toEqual([...all].reverse().slice(0, 3));
    expect(mergeSorted([], 5, 1)).toEqual([]);
  });
});
