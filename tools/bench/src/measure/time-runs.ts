/** Result of {@link timeRuns}. */
export interface TimedRuns {
  /** Runs completed (fewer than asked when the time cap hit). */
  readonly runs: number;
  readonly ms: number;
  /** Runs whose output failed `check`. */
  readonly wrong: number;
  readonly capped: boolean;
}

/**
 * Runs `fn` sequentially `runs` times (after `warmup` untimed runs), checking every output, stopping
 * early once `capMs` elapsed.
 */
export async function timeRuns<TOut>(options: {
  readonly runs: number;
  readonly warmup: number;
  readonly capMs?: number;
  readonly fn: (i: number) => Promise<TOut>;
  readonly check: (out: TOut) => boolean;
}): Promise<TimedRuns> {
  for (let i = 0; i < options.warmup; i++) await options.fn(i);
  let wrong = 0;
  let done = 0;
  const cap = options.capMs ?? Number.POSITIVE_INFINITY;
  const started = performance.now();
  while (done < options.runs) {
    if (!options.check(await options.fn(done))) wrong++;
    done++;
    // Checking the clock every run would cost more than a bare-chain run.
    if ((done & 63) === 0 && performance.now() - started > cap) break;
  }
  const ms = performance.now() - started;
  return { runs: done, ms, wrong, capped: done < options.runs };
}
