import { describe, expect, it } from 'vitest';
import { distributedWorkflow, main } from './distributed.js';

describe('distributed example', () => {
  it('joins six branches from two workers and replays the event log to 27', async () => {
    expect(await main()).toEqual({ branches: 6, sum: 27, replayed: 27, events: 6 });
  });

  it('gives the same output on the local engine', async () => {
    expect(await distributedWorkflow.run(2)).toEqual({ branches: 6, sum: 27, replayed: 27 });
  });
});
