import { describe, expect, it } from 'vitest';
import { main } from './timer.js';

describe('timer example', () => {
  it('runs the workflow once per tick, in order', async () => {
    const outputs = await main();
    expect(outputs).toHaveLength(10);
    expect(outputs[0]).toBe('tick 1 → 1');
    expect(outputs[9]).toBe('tick 10 → 100');
  });
});
