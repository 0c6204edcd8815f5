import { sql, type RawBuilder } from 'kysely';
import {
  encodeRunListCursor,
  normalizeRunListQuery,
  type RunInfo,
  type RunInfoStore,
  type RunListQuery,
  type RunPage,
} from '@floxide/distributed';
import { parseRunInfo } from './record-schemas.js';
import type { SchemaDb } from './schema-db.js';

/**
 * The least string above every string that starts with `prefix` in byte (code point) order: the prefix
 * with its last code point incremented (a trailing U+10FFFF is dropped first); `undefined` when no string
 * is above them all.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = [...prefix].map((c) => c.codePointAt(0) as number);
  while (points.length > 0) {
    const last = points.pop() as number;
    if (last < 0x10ffff) {
      // U+D800..U+DFFF are no characters: the code point after U+D7FF is U+E000.
      points.push(last === 0xd7ff ? 0xe000 : last + 1);
      return String.fromCodePoint(...points);
    }
  }
  return undefined;
}

/**
 * Run records in the `runs` table with keyset pagination: newest first by `(created_at, run_id)`, or by
 * `run_id` for a run id prefix search.
 *
 * @remarks Every list is an index range scan, however many runs are stored: `runs_created_idx` (all runs),
 * `runs_status_created_idx`, `runs_workflow_created_idx`, `runs_workflow_status_created_idx` (both; migration
 * `0007_run_list_indexes`), `since` as the lower end of the time range, and the primary key (`run_id`,
 * collation "C": byte order) for a prefix, scanned between the prefix and {@link prefixUpperBound}.
 *
 * @example
 * ```ts
 * const { runs, nextCursor } = await backend.runs.list({ status: 'failed', limit: 20 });
 * ```
 */
export class PostgresRunInfoStore implements RunInfoStore {
  readonly #db: SchemaDb;

  constructor(db: SchemaDb) {
    this.#db = db;
  }

  /** The run, or `undefined`; `CorruptRecordError` when its stored row has an impossible shape. */
  async get(runId: string): Promise<RunInfo | undefined> {
    const db = this.#db;
    const result = await db.run('run read', (k) =>
      sql<{
        run: unknown;
      }>`select ${db.ref('run_json')}(r) as run from ${db.ref('runs')} r where r.run_id = ${runId}`.execute(
        k,
      ),
    );
    const row = result.rows[0];
    return row === undefined ? undefined : parseRunInfo(row.run, runId);
  }

  /** Runs newest first (by id with `runIdPrefix`), filtered, `limit` per page (default 50). */
  async list(query: RunListQuery = {}): Promise<RunPage> {
    const db = this.#db;
    const q = normalizeRunListQuery(query);
    const byId = q.runIdPrefix !== undefined;
    const conditions: RawBuilder<unknown>[] = [sql`true`];
    if (q.status !== undefined) conditions.push(statusCondition(db, q.status));
    if (q.workflow !== undefined) conditions.push(sql`r.workflow = ${q.workflow}`);
    if (q.since !== undefined) conditions.push(sql`r.created_at >= ${Math.ceil(q.since)}::bigint`);
    if (q.runIdPrefix !== undefined) {
      conditions.push(sql`r.run_id >= ${q.runIdPrefix}`);
      const upper = prefixUpperBound(q.runIdPrefix);
      if (upper !== undefined) conditions.push(sql`r.run_id < ${upper}`);
    }
    if (q.cursor?.kind === 'time') {
      conditions.push(sql`(r.created_at, r.run_id) < (${q.cursor.createdAt}::bigint, ${q.cursor.runId})`);
    } else if (q.cursor?.kind === 'id') {
      conditions.push(sql`r.run_id > ${q.cursor.runId}`);
    }
    const order = byId ? sql`r.run_id` : sql`r.created_at desc, r.run_id desc`;
    const result = await db.run('run list', (k) =>
      sql<{ run: unknown }>`select ${db.ref('run_json')}(r) as run from ${db.ref('runs')} r
        where ${sql.join(conditions, sql` and `)}
        order by ${order} limit ${q.limit + 1}`.execute(k),
    );
    const runs = result.rows.slice(0, q.limit).map((row) => parseRunInfo(row.run, 'in a run list'));
    const last = runs.at(-1);
    if (result.rows.length <= q.limit || !last) return { runs };
    return { runs, nextCursor: encodeRunListCursor(last, byId) };
  }
}

/**
 * The list filter of one status. `waiting` is not stored (see migration 0017's `run_json`): it is a running
 * run that parked a step and has nothing but parked items outstanding, and `running` excludes those.
 */
function statusCondition(db: SchemaDb, status: string): RawBuilder<unknown> {
  const waiting = sql`(r.signal_parks > 0 and ${db.ref('run_waits')}(r.run_id) ? 'waiting')`;
  if (status === 'waiting') return sql`r.status = 'running' and ${waiting}`;
  if (status === 'running') return sql`r.status = 'running' and not ${waiting}`;
  return sql`r.status = ${status}`;
}
