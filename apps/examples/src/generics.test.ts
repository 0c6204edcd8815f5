import { describe, expect, it } from 'vitest';
import { main } from './generics.js';

describe('generics example', () => {
  it('runs the same generic nodes for numbers and strings', async () => {
    expect(await main()).toEqual(['tag-number(3.14)', 'tag-text(FLOXIDE)']);
  });
});
