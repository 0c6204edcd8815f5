import { describe, expect, it } from 'vitest';
import { main } from './scheduled-report.js';

describe('scheduled-report example', () => {
  it('two schedulers start one run per tick, and a worker runs every one', async () => {
    const result = await main(3);
    expect(result.runs).toBeGreaterThanOrEqual(3);
    expect(result.distinctTicks).toBe(result.runs);
    expect(result.outputs).toEqual(['report for ops']);
  });
});
