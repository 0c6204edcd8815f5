import { ValidationError } from '@floxide/core';
import type { RunInfo } from './records.js';
import type { RunListQuery } from './run-info-store.js';

/**
 * Where the previous page of a run list ended: `(createdAt, runId)` of its last run for a newest-first
 * list, its run id for a run id prefix search (ordered by id).
 */
export type RunListCursor =
  | { readonly kind: 'time'; readonly createdAt: number; readonly runId: string }
  | { readonly kind: 'id'; readonly runId: string };

/** A {@link RunListQuery} checked and with its defaults applied, as every backend reads it. */
export interface NormalizedRunListQuery {
  readonly limit: number;
  readonly status?: RunListQuery['status'];
  readonly workflow?: string;
  readonly since?: number;
  /** Absent for a newest-first list; present (non-empty) for a run id prefix search. */
  readonly runIdPrefix?: string;
  readonly cursor?: RunListCursor;
}

/** The cursor that continues after `run` in a list of this kind. */
export function encodeRunListCursor(run: Pick<RunInfo, 'createdAt' | 'runId'>, byId: boolean): string {
  const value = byId ? [run.runId] : [run.createdAt, run.runId];
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Parses a cursor made by {@link encodeRunListCursor} for a list of this kind; `ValidationError` otherwise. */
export function decodeRunListCursor(cursor: string, byId: boolean): RunListCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed)) {
    if (byId && parsed.length === 1 && typeof parsed[0] === 'string') return { kind: 'id', runId: parsed[0] };
    if (!byId && parsed.length === 2 && typeof parsed[0] === 'number' && typeof parsed[1] === 'string') {
      return { kind: 'time', createdAt: parsed[0], runId: parsed[1] };
    }
  }
  throw new ValidationError(
    byId ? 'Invalid run list cursor (not one of a run id search)' : 'Invalid run list cursor',
  );
}

/**
 * Checks a run list query and applies its defaults (limit 50, an empty prefix is no prefix).
 *
 * @throws ValidationError for a non-finite `since` or a malformed cursor.
 */
export function normalizeRunListQuery(query: RunListQuery = {}): NormalizedRunListQuery {
  const limit = Math.max(1, Math.floor(query.limit ?? 50));
  if (query.since !== undefined && !Number.isFinite(query.since)) {
    throw new ValidationError(`Run list "since" must be a finite time in ms, got ${String(query.since)}`);
  }
  const runIdPrefix = query.runIdPrefix === '' ? undefined : query.runIdPrefix;
  const byId = runIdPrefix !== undefined;
  return {
    limit,
    ...(query.status === undefined ? {} : { status: query.status }),
    ...(query.workflow === undefined ? {} : { workflow: query.workflow }),
    ...(query.since === undefined ? {} : { since: query.since }),
    ...(byId ? { runIdPrefix } : {}),
    ...(query.cursor === undefined ? {} : { cursor: decodeRunListCursor(query.cursor, byId) }),
  };
}

/** Whether a run passes the query's status, workflow and `since` filters (not the prefix or cursor). */
export function runMatchesFilters(run: RunInfo, query: NormalizedRunListQuery): boolean {
  return (
    (query.status === undefined || run.status === query.status) &&
    (query.workflow === undefined || run.workflow === query.workflow) &&
    (query.since === undefined || run.createdAt >= query.since)
  );
}

/**
 * Orders run ids as UTF-8 bytes do (the order of Redis lexicographic ranges and of PostgreSQL's `"C"`
 * collation): UTF-16 code units, except that a surrogate (a code point above U+FFFF) sorts after every
 * other unit.
 */
export function compareRunIds(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
