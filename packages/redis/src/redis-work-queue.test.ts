import { describe, expect, it } from 'vitest';
import { leaseToken, parseLeaseToken } from './redis-work-queue.js';

describe('lease tokens', () => {
  it('carry the BullMQ lock token and the job id, which may itself contain "#"', () => {
    const token = leaseToken('lock-uuid', 'run/item%231/2');
    expect(parseLeaseToken(token)).toEqual({ lockToken: 'lock-uuid', jobId: 'run/item%231/2' });
    expect(parseLeaseToken('lock#a#b')).toEqual({ lockToken: 'lock', jobId: 'a#b' });
  });

  it('reads a foreign token as a lock token without job id', () => {
    expect(parseLeaseToken('opaque')).toEqual({ lockToken: 'opaque', jobId: '' });
  });
});
