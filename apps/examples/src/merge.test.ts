import { describe, expect, it } from 'vitest';
import { main, mergeWorkflow } from './merge.js';

describe('merge example', () => {
  it('joins the branches in fan-out order although they finish in reverse', async () => {
    expect(await main()).toEqual([9, 10, 11]);
  });

  it('gives the same result one step at a time', async () => {
    expect(await mergeWorkflow.run(3)).toEqual([2, 3, 4]);
  });
});
