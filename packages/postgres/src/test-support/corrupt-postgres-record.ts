import { sql } from 'kysely';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Backend } from '@floxide/distributed';
import { PostgresBackend } from '../postgres-backend.js';
import { TEST_DATABASE_URL } from './test-database-url.js';

/** Kinds of stored record the corrupt-record scenarios overwrite (each backend supports a subset). */
export type CorruptRecordKind = 'run' | 'item' | 'context' | 'join' | 'outbox' | 'job';

/** The kinds {@link corruptPostgresRecord} supports: PostgreSQL has no outbox and no job records. */
export const POSTGRES_CORRUPTIBLE: readonly CorruptRecordKind[] = ['run', 'item', 'context', 'join'];

/**
 * Overwrites the stored record of `kind` belonging to `runId` with garbage (wrong JSON shape or non-JSON),
 * behind the backend's back, as a bad migration, a manual edit or a foreign writer would:
 * - `run`: the run row's status becomes a word no run status is;
 * - `item`: every queued item of the run (`work_items.item`) becomes `{"garbage":true}`;
 * - `context`: the run context becomes the JSON string `"garbage"`;
 * - `join`: every stored join arrival of the run claims a total of 0 branches (an index past the total).
 * Throws when the run has no such record (so a scenario never passes by corrupting nothing).
 */
export async function corruptPostgresRecord(
  backend: Backend,
  runId: string,
  kind: CorruptRecordKind,
): Promise<void> {
  if (!(backend instanceof PostgresBackend)) throw new Error('corruptPostgresRecord needs a PostgresBackend');
  if (!POSTGRES_CORRUPTIBLE.includes(kind)) throw new Error(`PostgreSQL stores no '${kind}' records`);
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 }) }),
  });
  const s = (table: string) => sql.raw(`"${backend.schema}".${table}`);
  try {
    const result =
      kind === 'run'
        ? await sql`update ${s('runs')} set status = 'garbage' where run_id = ${runId}`.execute(db)
        : kind === 'item'
          ? await sql`update ${s('work_items')} set item = '{"garbage":true}'::jsonb where run_id = ${runId} and queue_state <> 'done'`.execute(
              db,
            )
          : kind === 'context'
            ? await sql`update ${s('runs')} set context = '"garbage"'::jsonb where run_id = ${runId}`.execute(
                db,
              )
            : await sql`update ${s('join_arrivals')} set total = 0 where run_id = ${runId}`.execute(db);
    if (Number(result.numAffectedRows ?? 0) === 0)
      throw new Error(`Run ${runId} has no '${kind}' record to corrupt`);
  } finally {
    await db.destroy();
  }
}
