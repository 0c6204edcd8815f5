import { describe, expect, it } from 'vitest';
import { main } from './cancellation.js';

describe('cancellation example', () => {
  it('ends the run with CANCELLED without waiting for the sleeping node', async () => {
    const result = await main();
    expect(result.error).toBe('CANCELLED');
    expect(result.stoppedWithinMs).toBeLessThan(2_000);
  });
});
