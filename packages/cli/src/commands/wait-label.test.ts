import { describe, expect, it } from 'vitest';
import { waitLabel } from './wait-label.js';

describe('waitLabel', () => {
  it('names child runs and signals apart', () => {
    expect(waitLabel('floxide.child:r-1/abc/1')).toBe('child run r-1/abc/1');
    expect(waitLabel('approval')).toBe("signal 'approval'");
  });
});
