import { compareRunIds, type RunListQuery } from '@floxide/distributed';
import type { SyntheticRun } from './synthetic-runs.js';

/** One list the dashboard or the CLI shows, as a `runs.list` query. */
export interface ListCase {
  readonly name: string;
  readonly query: RunListQuery;
  /** Whether the brief's < 50 ms target names this list. */
  readonly targeted: boolean;
  /** Follow the first page's cursor and time the second page instead. */
  readonly secondPage?: boolean;
}

/** Page size of every timed list (the dashboard's). */
export const PAGE = 50;

/** The lists timed, over a store made by `syntheticRuns(…, now)`. */
export function listCases(runs: readonly SyntheticRun[], now: number): ListCase[] {
  const sample = runs[Math.floor(runs.length / 3)]?.runId ?? 'run-0';
  // 'run-' + 3 hex digits: about 1 run in 4,096 matches, so a 1M store has ~244 (several pages).
  const prefix = sample.slice(0, 7);
  return [
    { name: 'newest first', query: { limit: PAGE }, targeted: true },
    { name: 'newest first, page 2', query: { limit: PAGE }, targeted: true, secondPage: true },
    { name: 'status failed', query: { status: 'failed', limit: PAGE }, targeted: true },
    { name: 'status paused (1%)', query: { status: 'paused', limit: PAGE }, targeted: true },
    { name: 'workflow wf-3', query: { workflow: 'wf-3', limit: PAGE }, targeted: true },
    {
      name: 'workflow wf-3 + failed',
      query: { workflow: 'wf-3', status: 'failed', limit: PAGE },
      targeted: true,
    },
    {
      name: 'failed in the last hour',
      query: { status: 'failed', since: now - 3_600_000, limit: PAGE },
      targeted: true,
    },
    { name: `run id prefix ${prefix}`, query: { runIdPrefix: prefix, limit: PAGE }, targeted: true },
    {
      name: `run id prefix ${prefix} + failed`,
      query: { runIdPrefix: prefix, status: 'failed', limit: PAGE },
      targeted: false,
    },
  ];
}

/** The run ids a list must return, computed from the synthetic store (the correctness check). */
export function expectedIds(runs: readonly SyntheticRun[], c: ListCase): string[] {
  const q = c.query;
  const matching = runs.filter(
    (r) =>
      (q.status === undefined || r.status === q.status) &&
      (q.workflow === undefined || r.workflow === q.workflow) &&
      (q.since === undefined || r.createdAt >= q.since) &&
      (q.runIdPrefix === undefined || r.runId.startsWith(q.runIdPrefix)),
  );
  if (q.runIdPrefix !== undefined) matching.sort((a, b) => compareRunIds(a.runId, b.runId));
  else matching.sort((a, b) => b.createdAt - a.createdAt || compareRunIds(b.runId, a.runId));
  const skip = c.secondPage ? PAGE : 0;
  return matching.slice(skip, skip + PAGE).map((r) => r.runId);
}
