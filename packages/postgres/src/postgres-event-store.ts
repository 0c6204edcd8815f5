import { sql } from 'kysely';
import type { EventStore, RunEvent } from '@floxide/distributed';
import type { SchemaDb } from './schema-db.js';

/** Run events in the `events` table, numbered per run under the run row lock (so `seq` order is commit order). */
export class PostgresEventStore implements EventStore {
  readonly #db: SchemaDb;

  constructor(db: SchemaDb) {
    this.#db = db;
  }

  /** Events with `seq > afterSeq`, in order, at most `limit` (default: all). */
  async read(runId: string, afterSeq: number, limit?: number): Promise<RunEvent[]> {
    const db = this.#db;
    const cap = limit === undefined ? sql`` : sql`limit ${Math.max(0, Math.floor(limit))}`;
    const result = await db.run('event read', (k) =>
      sql<{ event: RunEvent }>`select ${db.ref('event_json')}(e) as event from ${db.ref('events')} e
        where e.run_id = ${runId} and e.seq > ${Math.floor(afterSeq)}::bigint order by e.seq ${cap}`.execute(
        k,
      ),
    );
    return result.rows.map((row) => row.event);
  }
}
