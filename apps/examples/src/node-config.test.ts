import { describe, expect, it } from 'vitest';
import { main, nodeConfigWorkflow } from './node-config.js';

describe('node-config example', () => {
  it('multiplies by each configured factor and counts the calls in the context', async () => {
    expect(await main()).toEqual({ output: 60, multiplications: 2 });
  });

  it('uses the factors of each node', async () => {
    expect(await nodeConfigWorkflow.run(1)).toBe(20);
  });
});
