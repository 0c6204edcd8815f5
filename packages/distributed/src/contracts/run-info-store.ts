import type { RunInfo, RunStatus } from './records.js';

/** Filter and page of {@link RunInfoStore.list}. */
export interface RunListQuery {
  readonly status?: RunStatus;
  readonly workflow?: string;
  /** Page size; default 50. */
  readonly limit?: number;
  /** Opaque cursor from a previous page. */
  readonly cursor?: string;
}

/** One page of runs, newest first. */
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
  /** Runs newest first (by `createdAt`, then `runId`), filtered, paginated by cursor. */
  list(query?: RunListQuery): Promise<RunPage>;
}
