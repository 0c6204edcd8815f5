import { describe, expect, it } from 'vitest';
import { main } from './batch.js';

describe('batch example', () => {
  it('doubles every element in order and routes on the sum', async () => {
    expect(await main()).toEqual(['large batch [2,4,6,8,10] (sum 30)', 'small batch [2,4] (sum 6)']);
  });
});
