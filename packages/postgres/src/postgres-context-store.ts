import { sql } from 'kysely';
import { CorruptRecordError, type LoggedEvent } from '@floxide/core';
import type {
  ContextFieldRead,
  ContextRead,
  ContextReadRequest,
  ContextStore,
  VersionedContext,
} from '@floxide/distributed';
import { encodeJson } from './encode-json.js';
import { parseContext } from './record-schemas.js';
import type { SchemaDb } from './schema-db.js';

/** What `read_context` answers for an existing run. */
interface ReadAnswer {
  readonly version: number;
  readonly fields: Record<string, ContextFieldRead>;
  readonly logs: Record<string, LoggedEvent<unknown>[]>;
}

/** A run row's context columns, with the per-field context assembled when it is split. */
interface ContextRow {
  readonly context: unknown;
  readonly context_version: number;
  readonly has_context: boolean | null;
  readonly context_split: boolean;
  readonly fields: Record<string, unknown> | null;
}

/**
 * Run contexts, stored per field (`context_fields`, `context_events`; see
 * `migrations/0004_context_fields.sql`) once a worker's first read has split the `runs.context` document
 * that `start_run` writes, and changed only by commits.
 */
export class PostgresContextStore implements ContextStore {
  readonly #db: SchemaDb;

  constructor(db: SchemaDb) {
    this.#db = db;
  }

  /**
   * The whole context and its version (one statement, so one snapshot), or `undefined` for a missing run.
   *
   * @remarks
   * Throws `CorruptRecordError` when the stored context is not an object (or is `null` for a run started
   * with a context): coercing it would silently lose the run's state.
   */
  async get(runId: string): Promise<VersionedContext | undefined> {
    const db = this.#db;
    const result = await db.run('context read', (k) =>
      sql<ContextRow>`
        select r.context, r.context_version, r.has_context, r.context_split,
          case when r.context_split then (
            select coalesce(jsonb_object_agg(f.field, case when f.log_length is null then f.value else
              coalesce((select jsonb_agg(jsonb_build_object('id', e.event_id, 'event', e.event) order by e.pos)
                from ${db.ref('context_events')} e where e.run_id = f.run_id and e.field = f.field), '[]'::jsonb)
              end), '{}'::jsonb)
            from ${db.ref('context_fields')} f where f.run_id = r.run_id)
          end as fields
        from ${db.ref('runs')} r where r.run_id = ${runId}`.execute(k),
    );
    const row = result.rows[0];
    if (row === undefined) return undefined;
    if (row.context_split) return { state: row.fields ?? {}, version: row.context_version };
    return parseContext(row.context, row.context_version, row.has_context, runId);
  }

  /** The requested fields and log tails in one call of `read_context` (which splits a document first). */
  async read(runId: string, request: ContextReadRequest): Promise<ContextRead | undefined> {
    const db = this.#db;
    const what = `the context read of run ${runId}`;
    const result = await db.run('context read', (k) =>
      sql<{ result: ReadAnswer | null }>`select ${db.ref('read_context')}(${runId}, ${encodeJson(
        request.layout,
        what,
      )}::jsonb, ${encodeJson(request.fields, what)}::jsonb, ${encodeJson(request.logs, what)}::jsonb) as result`.execute(
        k,
      ),
    );
    const answer = result.rows[0]?.result;
    if (answer === null || answer === undefined) return undefined;
    if (typeof answer !== 'object' || typeof answer.fields !== 'object' || typeof answer.logs !== 'object')
      throw new CorruptRecordError(`stored context of run ${runId} could not be read`);
    const fields: Record<string, ContextFieldRead> = {};
    for (const name of request.fields) {
      const field = answer.fields[name];
      fields[name] = { value: field?.value ?? null, version: field?.version ?? 0 };
    }
    const logs: Record<string, LoggedEvent<unknown>[]> = {};
    for (const name of Object.keys(request.logs)) logs[name] = answer.logs[name] ?? [];
    return { fields, logs };
  }
}
