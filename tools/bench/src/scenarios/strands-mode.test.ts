import { describe, expect, it } from 'vitest';
import { floxideSides } from './strands-mode.js';

describe('floxideSides', () => {
  const ids = { strands: 'floxide-redis', queueOnly: 'floxide-redis-queue-only' };

  it('compares the strands contender alone by default, the queue-only one in its place with off', () => {
    expect(floxideSides(ids, 'on')).toEqual({ floxide: 'floxide-redis', extra: [] });
    expect(floxideSides(ids, 'off')).toEqual({ floxide: 'floxide-redis-queue-only', extra: [] });
  });

  it('runs the queue-only contender beside the strands one with both', () => {
    expect(floxideSides(ids, 'both')).toEqual({
      floxide: 'floxide-redis',
      extra: ['floxide-redis-queue-only'],
    });
  });
});
