import { describe, expect, it } from 'vitest';
import { main } from './checkpoint.js';

describe('checkpoint example', () => {
  it('resumes a crashed run to the same output and refuses to resume a completed one', async () => {
    const result = await main();
    expect(result.uninterrupted).toBe(400);
    expect(result.firstAttempt).toMatch(/^NODE_FAILED: .*simulated crash/);
    expect(result.resumed).toBe(400);
    // The crashed attempt's context operations were dropped: three steps counted, not four.
    expect(result.steps).toBe(3);
    expect(result.resumeAfterCompletion).toBe('RUN_STATE');
  });
});
