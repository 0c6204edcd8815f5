import { describe, expect, it } from 'vitest';
import { formatResult, isMain } from './run-main.js';

describe('run-main', () => {
  it('prints strings verbatim and inspects other values in full', () => {
    expect(formatResult('plain')).toBe('plain');
    const text = formatResult({ a: { b: { c: { d: { e: 1 } } } } });
    expect(text).toContain('e: 1');
    expect(text).not.toContain('[Object]');
  });

  it('does not treat an imported module as the entry point', () => {
    expect(isMain(import.meta.url)).toBe(false);
  });
});
