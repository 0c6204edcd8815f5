import { describe, expect, it } from 'vitest';
import { main } from './split.js';

describe('split example', () => {
  it('runs every branch and returns the first terminal output', async () => {
    expect(await main()).toEqual({ output: 'first terminal output: 9', seen: [9, 10, 11] });
  });
});
