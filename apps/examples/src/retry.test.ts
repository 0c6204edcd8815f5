import { describe, expect, it } from 'vitest';
import { main } from './retry.js';

describe('retry example', () => {
  it('succeeds on the third attempt', async () => {
    expect(await main()).toEqual({ value: 42, attempts: 3 });
  });
});
