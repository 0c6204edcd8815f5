/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this long (default 10 s: generous, so a loaded CI machine does not flake). */
  readonly timeoutMs?: number;
  /** Pause between two polls (default 20 ms). */
  readonly intervalMs?: number;
  /** Describes what was awaited, for the timeout error. */
  readonly message?: string;
}

/**
 * Polls `predicate` until it returns a truthy value and resolves with that value.
 *
 * @remarks
 * Rejects with an `Error` naming `message` when `timeoutMs` passes first. Errors thrown by the predicate
 * propagate at once. Suites use it for every timing-dependent expectation instead of fixed sleeps.
 *
 * @example
 * ```ts
 * const [lease] = await waitFor(async () => {
 *   const leases = await backend.queue.lease({ workerId: 'w', leaseMs: 1_000 });
 *   return leases.length > 0 ? leases : undefined;
 * }, { timeoutMs: 5_000, message: 'the retry item' });
 * ```
 */
export async function waitFor<TValue>(
  predicate: () => TValue | Promise<TValue>,
  options: WaitForOptions = {},
): Promise<NonNullable<Awaited<TValue>>> {
  const { timeoutMs = 10_000, intervalMs = 20, message = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value !== undefined && value !== null && value !== false)
      return value as NonNullable<Awaited<TValue>>;
    if (Date.now() >= deadline)
      throw new Error(`waitFor: timed out after ${timeoutMs} ms waiting for ${message}`);
    await sleep(intervalMs);
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
