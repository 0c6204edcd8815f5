import { describe, expect, it } from 'vitest';
import { branchingWorkflow, main } from './branching.js';

describe('branching example', () => {
  it('sends each variant down its own arm', async () => {
    expect(await main()).toEqual(['big: 42', 'small: only 3']);
  });

  it('routes the boundary value to the small arm', async () => {
    expect(await branchingWorkflow.run(10)).toBe('small: only 10');
  });
});
