import { isFloxideError } from '../errors/floxide-error.js';

/** How the delay grows between attempts. */
export type BackoffStrategy = 'fixed' | 'linear' | 'exponential';

/** Random jitter: `'none'`, `'full'` (uniform in [0, delay]) or a ratio r (uniform in [delay·(1−r), delay]). */
export type RetryJitter = 'full' | 'none' | number;

/** Options of every {@link RetryPolicy} constructor. */
export interface RetryPolicyOptions {
  /** Attempts in total, counting the first one (≥ 1). */
  readonly maxAttempts: number;
  /** Delay after the first failed attempt, in ms. */
  readonly initialDelayMs: number;
  /** Upper bound of any delay (before jitter), in ms; unbounded when omitted. */
  readonly maxDelayMs?: number;
  /** Random jitter; `'none'` when omitted. */
  readonly jitter?: RetryJitter;
  /** Which errors are worth another attempt; all of them when omitted. */
  readonly retryOn?: (error: unknown) => boolean;
}

// Deterministic failures: another attempt would fail the same way.
const neverRetried = new Set([
  'CANCELLED',
  'DEADLINE_EXCEEDED',
  'VALIDATION',
  'SERIALIZATION',
  'JOIN_BRANCH',
  'SIGNAL_TIMEOUT',
]);

/**
 * When and how often a failed node attempt is tried again.
 *
 * @remarks
 * The engine does the retrying: locally an abortable wait, distributed a durable delayed work item.
 * Cancellation, run deadlines, validation and serialization errors and `JOIN_BRANCH` (a branch arriving at
 * its join twice) are never retried, whatever `retryOn` says.
 *
 * @example
 * ```ts
 * const policy = RetryPolicy.exponential({ maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 5_000, jitter: 'full' });
 * const flaky = withRetry(callApi, policy);
 * ```
 */
export class RetryPolicy {
  readonly strategy: BackoffStrategy;
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly jitter: RetryJitter;
  readonly retryOn: (error: unknown) => boolean;

  private constructor(strategy: BackoffStrategy, options: RetryPolicyOptions) {
    if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1) {
      throw new RangeError(`maxAttempts must be an integer ≥ 1, got ${options.maxAttempts}`);
    }
    if (!(options.initialDelayMs >= 0)) throw new RangeError('initialDelayMs must be ≥ 0');
    const jitter = options.jitter ?? 'none';
    if (typeof jitter === 'number' && !(jitter >= 0 && jitter <= 1))
      throw new RangeError('jitter ratio must be in [0, 1]');
    this.strategy = strategy;
    this.maxAttempts = options.maxAttempts;
    this.initialDelayMs = options.initialDelayMs;
    this.maxDelayMs = options.maxDelayMs ?? Number.POSITIVE_INFINITY;
    this.jitter = jitter;
    this.retryOn = options.retryOn ?? (() => true);
  }

  /** The same delay after every attempt. */
  static fixed(options: RetryPolicyOptions): RetryPolicy {
    return new RetryPolicy('fixed', options);
  }

  /** Delay `initialDelayMs × attempt`. */
  static linear(options: RetryPolicyOptions): RetryPolicy {
    return new RetryPolicy('linear', options);
  }

  /** Delay `initialDelayMs × 2^(attempt−1)`. */
  static exponential(options: RetryPolicyOptions): RetryPolicy {
    return new RetryPolicy('exponential', options);
  }

  /** The delay (ms) to wait after failed attempt number `attempt` (1-based), capped and jittered. */
  delayFor(attempt: number, random: () => number = Math.random): number {
    const n = Math.max(1, attempt);
    let base: number;
    if (this.strategy === 'fixed') base = this.initialDelayMs;
    else if (this.strategy === 'linear') base = this.initialDelayMs * n;
    else base = this.initialDelayMs * 2 ** Math.min(n - 1, 1000);
    base = Math.min(base, this.maxDelayMs);
    if (this.jitter === 'none') return Math.round(base);
    if (this.jitter === 'full') return Math.round(random() * base);
    return Math.round(base * (1 - this.jitter * random()));
  }

  /** Whether failed attempt `attempt` (1-based) may be followed by another one. */
  shouldRetry(error: unknown, attempt: number): boolean {
    if (attempt >= this.maxAttempts) return false;
    if (isFloxideError(error) && neverRetried.has(error.code)) return false;
    return this.retryOn(error);
  }
}
