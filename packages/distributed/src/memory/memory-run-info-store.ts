import { ValidationError } from '@floxide/core';
import type { RunInfo } from '../contracts/records.js';
import type { RunInfoStore, RunListQuery, RunPage } from '../contracts/run-info-store.js';
import { copy, type MemoryState } from './memory-state.js';

interface Cursor {
  readonly createdAt: number;
  readonly runId: string;
}

/** Newest first: `createdAt` descending, then `runId` descending. */
function compareRuns(a: Cursor, b: Cursor): number {
  if (a.createdAt !== b.createdAt) return b.createdAt - a.createdAt;
  return a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0;
}

function encodeCursor(run: RunInfo): string {
  return Buffer.from(JSON.stringify([run.createdAt, run.runId])).toString('base64url');
}

function decodeCursor(cursor: string): Cursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && typeof parsed[0] === 'number' && typeof parsed[1] === 'string') {
      return { createdAt: parsed[0], runId: parsed[1] };
    }
  } catch {
    // Reported below with one message for every malformed cursor.
  }
  throw new ValidationError('Invalid run list cursor');
}

/**
 * The in-memory {@link RunInfoStore}: run records read from the backend's shared state.
 *
 * @remarks Returns copies; a cursor names the last run of the previous page, so pages stay stable when
 * newer runs are added meanwhile.
 *
 * @example
 * ```ts
 * const { runs, nextCursor } = await backend.runs.list({ status: 'failed', limit: 20 });
 * ```
 */
export class MemoryRunInfoStore implements RunInfoStore {
  readonly #state: MemoryState;

  constructor(state: MemoryState) {
    this.#state = state;
  }

  /** A copy of the run, or `undefined`. */
  async get(runId: string): Promise<RunInfo | undefined> {
    const run = this.#state.runs.get(runId);
    return run ? copy(run.info) : undefined;
  }

  /** Runs newest first, filtered by status and workflow, one page after `cursor`. */
  async list(query: RunListQuery = {}): Promise<RunPage> {
    const limit = Math.max(1, query.limit ?? 50);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const matching: RunInfo[] = [];
    for (const run of this.#state.runs.values()) {
      const info = run.info;
      if (query.status !== undefined && info.status !== query.status) continue;
      if (query.workflow !== undefined && info.workflow !== query.workflow) continue;
      if (after && compareRuns(after, info) >= 0) continue;
      matching.push(info);
    }
    matching.sort(compareRuns);
    const page = matching.slice(0, limit).map((r) => copy(r));
    const last = page[page.length - 1];
    return matching.length > limit && last ? { runs: page, nextCursor: encodeCursor(last) } : { runs: page };
  }
}
