import { sql } from 'kysely';
import { ValidationError } from '@floxide/core';
import type { RunInfo, RunInfoStore, RunListQuery, RunPage } from '@floxide/distributed';
import { parseRunInfo } from './record-schemas.js';
import type { SchemaDb } from './schema-db.js';

/** Position after the last run of a page: `(createdAt, runId)` of that run. */
interface Cursor {
  readonly createdAt: number;
  readonly runId: string;
}

/**
 * Run records in the `runs` table, newest first by `(created_at, run_id)` with keyset pagination (an index
 * per filter keeps every page an index range scan, however many runs are stored).
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

  /** Runs newest first, filtered by status and workflow, `limit` per page (default 50). */
  async list(query: RunListQuery = {}): Promise<RunPage> {
    const db = this.#db;
    const limit = Math.max(1, Math.floor(query.limit ?? 50));
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const conditions = [sql`true`];
    if (query.status !== undefined) conditions.push(sql`r.status = ${query.status}`);
    if (query.workflow !== undefined) conditions.push(sql`r.workflow = ${query.workflow}`);
    if (cursor)
      conditions.push(sql`(r.created_at, r.run_id) < (${cursor.createdAt}::bigint, ${cursor.runId})`);
    const result = await db.run('run list', (k) =>
      sql<{ run: unknown }>`select ${db.ref('run_json')}(r) as run from ${db.ref('runs')} r
        where ${sql.join(conditions, sql` and `)}
        order by r.created_at desc, r.run_id desc limit ${limit + 1}`.execute(k),
    );
    const runs = result.rows.slice(0, limit).map((row) => parseRunInfo(row.run, 'in a run list'));
    const last = runs.at(-1);
    if (result.rows.length <= limit || !last) return { runs };
    return { runs, nextCursor: encodeCursor({ createdAt: last.createdAt, runId: last.runId }) };
  }
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.runId])).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string') {
      return { createdAt: value[0], runId: value[1] };
    }
  } catch {
    // fall through: reported below
  }
  throw new ValidationError('Invalid run list cursor');
}
