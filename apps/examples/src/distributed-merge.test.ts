import { describe, expect, it } from 'vitest';
import { main } from './distributed-merge.js';

describe('distributed-merge example', () => {
  it('merges all ten scaled values in order despite failing attempts', async () => {
    const result = await main();
    expect(result.output).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    // About 30% of attempts fail; each failed attempt is recorded and became a durable retry.
    expect(result.retries).toBeGreaterThan(0);
    expect(result.failedAttempts).toBe(result.retries);
  });
});
