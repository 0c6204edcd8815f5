import { describe, expect, it } from 'vitest';
import { ValidationError } from '@floxide/core';
import { helloWorkflow, main } from './hello.js';

describe('hello example', () => {
  it('triples 7 into 21', async () => {
    expect(await main()).toBe(21);
  });

  it('rejects an input that is not a number before running the node', async () => {
    await expect(helloWorkflow.run('seven' as never)).rejects.toBeInstanceOf(ValidationError);
  });
});
