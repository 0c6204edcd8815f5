import { describe, expect, it } from 'vitest';
import { isFloxideError } from '@floxide/core';
import { DEFAULT_RETENTION, Retention } from './retention.js';

describe('Retention', () => {
  it('applies the defaults, the backend-wide times and per-workflow overrides', () => {
    expect(Retention.of(undefined)?.keepMs('completed', 'x')).toBe(DEFAULT_RETENTION.completedMs);
    expect(Retention.of(undefined)?.keepMs('failed', 'x')).toBe(30 * 24 * 3_600_000);
    const r = Retention.of({
      completedMs: 1_000,
      workflows: { audit: { completedMs: Infinity, cancelledMs: 5 } },
    });
    expect(r?.keepMs('completed', 'x')).toBe(1_000);
    expect(r?.keepMs('completed', 'audit')).toBe(Infinity);
    expect(r?.keepMs('cancelled', 'audit')).toBe(5);
    expect(r?.keepMs('failed', 'audit')).toBe(DEFAULT_RETENTION.failedMs);
    expect(r?.keepMs('running', 'x')).toBe(Infinity);
    expect(r?.shortestMs).toBe(5);
    expect(Retention.of(false)).toBeUndefined();
    expect(r?.rules()).toEqual([
      { status: 'completed', ageMs: 1_000, skip: ['audit'] },
      { status: 'failed', ageMs: DEFAULT_RETENTION.failedMs, skip: [] },
      { status: 'cancelled', ageMs: DEFAULT_RETENTION.cancelledMs, skip: ['audit'] },
      { status: 'cancelled', ageMs: 5, workflow: 'audit', skip: [] },
    ]);
  });

  it('refuses a time that is not a non-negative number, naming the field', () => {
    for (const bad of [-1, Number.NaN, '10' as unknown as number]) {
      let error: unknown;
      try {
        Retention.of({ workflows: { w: { failedMs: bad } } });
      } catch (e) {
        error = e;
      }
      expect(isFloxideError(error, 'VALIDATION')).toBe(true);
      expect((error as Error).message).toContain("retention.workflows['w'].failedMs");
    }
  });
});
