import { median } from './stats.js';

/** Summary of RSS samples taken over a long run. */
export interface RssTrend {
  readonly startMb: number;
  readonly peakMb: number;
  readonly endMb: number;
  /** Median RSS of the last quarter of the run over that of the second quarter (after warm-up). */
  readonly growth: number;
  readonly samples: number;
}

/**
 * Summarises RSS samples (ordered by progress) and compares the late run with the early run.
 *
 * @remarks
 * The first quarter is warm-up (JIT, pools, caches) and is left out; a flat process has a growth close
 * to 1, a leak grows with the number of steps.
 */
export function rssTrend(samples: readonly { readonly rss: number }[]): RssTrend {
  const mb = samples.map((s) => s.rss / (1024 * 1024));
  const quarter = Math.max(1, Math.floor(mb.length / 4));
  const early = mb.slice(quarter, 2 * quarter);
  const late = mb.slice(mb.length - quarter);
  return {
    startMb: mb[0] ?? Number.NaN,
    peakMb: mb.length ? Math.max(...mb) : Number.NaN,
    endMb: mb.at(-1) ?? Number.NaN,
    growth: early.length && late.length ? median(late) / median(early) : Number.NaN,
    samples: mb.length,
  };
}
