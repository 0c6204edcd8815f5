import { afterEach, describe, expect, it, vi } from 'vitest';
import { CancelledError, DeadlineExceededError, ValidationError } from '../errors/errors.js';
import { node } from '../node/node.js';
import { workflow } from '../workflow/workflow-builder.js';
import { RetryPolicy } from './retry-policy.js';
import { withRetry } from './with-retry.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('RetryPolicy', () => {
  it('computes fixed, linear and exponential delays capped by maxDelayMs', () => {
    const opts = { maxAttempts: 10, initialDelayMs: 100, maxDelayMs: 1_000 };
    expect([1, 2, 3, 4].map((a) => RetryPolicy.fixed(opts).delayFor(a))).toEqual([100, 100, 100, 100]);
    expect([1, 2, 3, 20].map((a) => RetryPolicy.linear(opts).delayFor(a))).toEqual([100, 200, 300, 1_000]);
    expect([1, 2, 3, 4, 5, 60].map((a) => RetryPolicy.exponential(opts).delayFor(a))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
  });

  it('keeps jittered delays within the policy bounds', () => {
    const full = RetryPolicy.exponential({
      maxAttempts: 10,
      initialDelayMs: 100,
      maxDelayMs: 1_000,
      jitter: 'full',
    });
    const ratio = RetryPolicy.exponential({
      maxAttempts: 10,
      initialDelayMs: 100,
      maxDelayMs: 1_000,
      jitter: 0.2,
    });
    for (let attempt = 1; attempt <= 8; attempt++) {
      const cap = Math.min(100 * 2 ** (attempt - 1), 1_000);
      for (let i = 0; i < 50; i++) {
        const f = full.delayFor(attempt);
        expect(f).toBeGreaterThanOrEqual(0);
        expect(f).toBeLessThanOrEqual(cap);
        const r = ratio.delayFor(attempt);
        expect(r).toBeGreaterThanOrEqual(Math.floor(cap * 0.8));
        expect(r).toBeLessThanOrEqual(cap);
      }
    }
    expect(full.delayFor(3, () => 0.5)).toBe(200);
  });

  it('shouldRetry honours maxAttempts, retryOn and never retries cancel, deadline or validation', () => {
    const policy = RetryPolicy.fixed({
      maxAttempts: 3,
      initialDelayMs: 1,
      retryOn: (e) => !(e instanceof RangeError),
    });
    expect(policy.shouldRetry(new Error('x'), 1)).toBe(true);
    expect(policy.shouldRetry(new Error('x'), 3)).toBe(false);
    expect(policy.shouldRetry(new RangeError('x'), 1)).toBe(false);
    expect(policy.shouldRetry(new CancelledError(), 1)).toBe(false);
    expect(policy.shouldRetry(new DeadlineExceededError(), 1)).toBe(false);
    expect(policy.shouldRetry(new ValidationError('bad'), 1)).toBe(false);
  });

  it('rejects nonsense options', () => {
    expect(() => RetryPolicy.fixed({ maxAttempts: 0, initialDelayMs: 1 })).toThrow(RangeError);
    expect(() => RetryPolicy.fixed({ maxAttempts: 1, initialDelayMs: -1 })).toThrow(RangeError);
    expect(() => RetryPolicy.fixed({ maxAttempts: 1, initialDelayMs: 1, jitter: 2 })).toThrow(RangeError);
  });

  it('the engine waits exactly the policy delays between attempts (fake timers)', async () => {
    vi.useFakeTimers();
    const times: number[] = [];
    const flaky = withRetry(
      node({
        name: 'flaky',
        process(n: number, ctx) {
          times.push(Date.now());
          if (ctx.attempt < 4) throw new Error('again');
          return n;
        },
      }),
      RetryPolicy.exponential({ maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 250 }),
    );
    expect(flaky.name).toBe('flaky');
    const run = workflow({ name: 'r' }).start(flaky).build().run(7);
    await vi.advanceTimersByTimeAsync(100 + 200 + 250);
    await expect(run).resolves.toBe(7);
    expect(times.slice(1).map((t, i) => t - (times[i] as number))).toEqual([100, 200, 250]);
  });
});
