import { describe, expect, it } from 'vitest';
import { innerWorkflow, main } from './nested.js';

describe('nested example', () => {
  it('runs the inner workflow as one node of the outer one', async () => {
    expect(await main()).toBe('result: 42');
  });

  it('keeps the inner workflow usable on its own', async () => {
    expect(await innerWorkflow.run(1)).toBe(12);
  });
});
