import { describe, expect, it } from 'vitest';
import { keySlot } from './slot.js';

describe('keySlot', () => {
  it('matches Redis Cluster’s slots (values from CLUSTER KEYSLOT)', () => {
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('bar')).toBe(5061);
    expect(keySlot('123456789')).toBe(12739);
  });

  it('hashes only the hash tag when there is one, and the whole key for an empty tag', () => {
    expect(keySlot('a:{user1000}:x')).toBe(keySlot('user1000'));
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
    expect(keySlot('foo{{bar}}zap')).toBe(keySlot('{bar'));
  });
});
