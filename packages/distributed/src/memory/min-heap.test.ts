import { describe, expect, it } from 'vitest';
import { MinHeap } from './min-heap.js';

describe('MinHeap', () => {
  it('pops due entries in time order and keeps later ones', () => {
    const heap = new MinHeap<string>();
    const times = [50, 10, 40, 20, 30, 10, 60];
    times.forEach((t, i) => heap.push(t, `${t}-${i}`));
    const popped: number[] = [];
    for (let e = heap.popDue(40); e; e = heap.popDue(40)) popped.push(e.at);
    expect(popped).toEqual([10, 10, 20, 30, 40]);
    expect(heap.peekAt()).toBe(50);
    expect(heap.size).toBe(2);
  });
});
