import type { RunInfo, RunStatus } from '../contracts/records.js';
import { compareRunIds, type NormalizedRunListQuery } from '../contracts/run-list-query.js';
import { SortedRuns } from './sorted-runs.js';

/** Oldest first: `createdAt`, then run id in byte order. */
function compareTime(
  a: Pick<RunInfo, 'createdAt' | 'runId'>,
  b: Pick<RunInfo, 'createdAt' | 'runId'>,
): number {
  if (a.createdAt !== b.createdAt) return a.createdAt - b.createdAt;
  return compareRunIds(a.runId, b.runId);
}

function compareIds(a: RunInfo, b: RunInfo): number {
  return compareRunIds(a.runId, b.runId);
}

/**
 * The in-memory backend's run list indexes: every run by time, by status, by workflow, by workflow and
 * status, and by run id. Kept by `startRun` and every status change, so a page of any list is a binary
 * search plus the page, however many runs are stored.
 */
export class RunListIndex {
  #all = new SortedRuns(compareTime);
  #byId = new SortedRuns(compareIds);
  readonly #byKey = new Map<string, SortedRuns>();

  /** Indexes a new run under its current status. */
  add(run: RunInfo): void {
    this.#all.insert(run);
    this.#byId.insert(run);
    this.#timeIndex(`w\u0000${run.workflow}`, true)?.insert(run);
    this.#addStatus(run, run.status);
  }

  /** Moves a run from the status lists of `from` to those of its current status. */
  statusChanged(run: RunInfo, from: RunStatus): void {
    if (from === run.status) return;
    this.#timeIndex(`s\u0000${from}`, false)?.remove(run);
    this.#timeIndex(`ws\u0000${from}\u0000${run.workflow}`, false)?.remove(run);
    this.#addStatus(run, run.status);
  }

  /** Removes a run from every list (retention deleted it). */
  remove(run: RunInfo): void {
    this.#all.remove(run);
    this.#byId.remove(run);
    this.#timeIndex(`w\u0000${run.workflow}`, false)?.remove(run);
    this.#timeIndex(`s\u0000${run.status}`, false)?.remove(run);
    this.#timeIndex(`ws\u0000${run.status}\u0000${run.workflow}`, false)?.remove(run);
  }

  /** Forgets every run. */
  clear(): void {
    this.#byKey.clear();
    this.#all = new SortedRuns(compareTime);
    this.#byId = new SortedRuns(compareIds);
  }

  /** One page of runs for a query (the live records: the caller copies them). */
  page(query: NormalizedRunListQuery): { runs: RunInfo[]; more: boolean } {
    return query.runIdPrefix === undefined ? this.#timePage(query) : this.#idPage(query, query.runIdPrefix);
  }

  #addStatus(run: RunInfo, status: RunStatus): void {
    this.#timeIndex(`s\u0000${status}`, true)?.insert(run);
    this.#timeIndex(`ws\u0000${status}\u0000${run.workflow}`, true)?.insert(run);
  }

  #timeIndex(key: string, create: boolean): SortedRuns | undefined {
    let list = this.#byKey.get(key);
    if (!list && create) {
      list = new SortedRuns(compareTime);
      this.#byKey.set(key, list);
    }
    return list;
  }

  /** Newest first from the narrowest index, below the cursor and not older than `since`. */
  #timePage(query: NormalizedRunListQuery): { runs: RunInfo[]; more: boolean } {
    const { status, workflow } = query;
    const list =
      status !== undefined && workflow !== undefined
        ? this.#byKey.get(`ws\u0000${status}\u0000${workflow}`)
        : status !== undefined
          ? this.#byKey.get(`s\u0000${status}`)
          : workflow !== undefined
            ? this.#byKey.get(`w\u0000${workflow}`)
            : this.#all;
    if (!list) return { runs: [], more: false };
    const cursor = query.cursor?.kind === 'time' ? query.cursor : undefined;
    const runs: RunInfo[] = [];
    for (const run of list.descending(cursor ? (r) => compareTime(r, cursor) : undefined)) {
      if (query.since !== undefined && run.createdAt < query.since) break;
      if (runs.length === query.limit) return { runs, more: true };
      runs.push(run);
    }
    return { runs, more: false };
  }

  /** By run id from the first id with the prefix (after the cursor), skipping runs the filters reject. */
  #idPage(query: NormalizedRunListQuery, prefix: string): { runs: RunInfo[]; more: boolean } {
    const after = query.cursor?.kind === 'id' ? query.cursor.runId : undefined;
    const start = after ?? prefix;
    const runs: RunInfo[] = [];
    for (const run of this.#byId.ascending((r) => compareRunIds(r.runId, start))) {
      if (run.runId === after) continue;
      if (!run.runId.startsWith(prefix)) break;
      if (query.status !== undefined && run.status !== query.status) continue;
      if (query.workflow !== undefined && run.workflow !== query.workflow) continue;
      if (query.since !== undefined && run.createdAt < query.since) continue;
      if (runs.length === query.limit) return { runs, more: true };
      runs.push(run);
    }
    return { runs, more: false };
  }
}
