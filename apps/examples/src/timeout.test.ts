import { describe, expect, it } from 'vitest';
import { main } from './timeout.js';

describe('timeout example', () => {
  it('times out the slow node and stops the run at its deadline', async () => {
    expect(await main()).toEqual({
      nodeTimeout: 'NODE_FAILED (cause: TIMEOUT)',
      runDeadline: 'DEADLINE_EXCEEDED',
    });
  });
});
