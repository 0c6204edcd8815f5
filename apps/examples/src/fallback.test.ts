import { describe, expect, it } from 'vitest';
import { main } from './fallback.js';

describe('fallback example', () => {
  it('recovers with the failing node’s original input', async () => {
    expect(await main()).toBe('recovered (input was "hello")');
  });
});
