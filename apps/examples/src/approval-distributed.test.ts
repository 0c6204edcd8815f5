import { describe, expect, it } from 'vitest';
import { main } from './approval-distributed.js';

describe('approval-distributed example', () => {
  it('waits without a worker, takes one signal once by id, and escalates an unanswered request', async () => {
    const result = await main();
    expect(result.waiting).toBe('waiting for approval');
    expect(result.sends).toEqual(['delivered', 'duplicate']);
    expect(result.approved).toBe('paid (approved by grace)');
    expect(result.unanswered).toBe('escalated exp-2: no answer in time');
  });
});
