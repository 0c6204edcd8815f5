import { describe, expect, it } from 'vitest';
import { main } from './retry-definition.js';

describe('retry-definition example', () => {
  it('retries a busy service once and never retries a permanent error', async () => {
    const result = await main();
    expect(result.quote).toEqual({ symbol: 'FLOX', price: 400, attempt: 2 });
    expect(result.permanent).toMatch(/attempt 1: empty symbol/);
  });
});
