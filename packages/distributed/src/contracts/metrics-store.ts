import type { RunMetrics } from './records.js';

/**
 * Per-run counters. Updated only inside commits (so concurrent workers lose no increment); read here.
 * @remarks A missing run reads as `undefined`.
 */
export interface MetricsStore {
  get(runId: string): Promise<RunMetrics | undefined>;
}
