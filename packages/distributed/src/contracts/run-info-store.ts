import type { RunInfo, RunStatus } from './records.js';

/** Filter and page of {@link RunInfoStore.list}. */
export interface RunListQuery {
  readonly status?: RunStatus;
  readonly workflow?: string;
  /** Page size; default 50. */
  readonly limit?: number;
  /** Opaque cursor from a previous page (of the same query). */
  readonly cursor?: string;
  /** Only runs created at or after this time (epoch ms), e.g. `Date.now() - 3_600_000` for the last hour. */
  readonly since?: number;
  /**
   * Only runs whose id starts with this prefix (a search box). The page is then ordered by run id
   * ascending (UTF-8 byte order) instead of newest first, so every backend answers it from an index of
   * run ids. An empty prefix is no filter.
   */
  readonly runIdPrefix?: string;
}

/** One page of runs, newest first (by run id with {@link RunListQuery.runIdPrefix}). */
export interface RunPage {
  readonly runs: RunInfo[];
  /** Present when more runs follow. */
  readonly nextCursor?: string;
}

/**
 * Run records. Written by the backend's `startRun`, `commit` and control operations; read here.
 *
 * @remarks Reads are consistent with completed writes. A missing run reads as `undefined`, never throws.
 */
export interface RunInfoStore {
  /** The run, or `undefined` when there is none. */
  get(runId: string): Promise<RunInfo | undefined>;
  /**
   * Runs newest first (by `createdAt`, then `runId`), filtered, paginated by cursor; with `runIdPrefix`,
   * by run id ascending.
   *
   * @remarks Every filter (status, workflow, both, `since`, run id prefix) is answered from an index kept
   * atomically with the run's status, so a page costs the same with a million runs stored. A prefix
   * search combined with other filters reads the prefix's runs in id order and skips those that do not
   * match. `ValidationError` for a malformed cursor or a non-finite `since`.
   */
  list(query?: RunListQuery): Promise<RunPage>;
}
