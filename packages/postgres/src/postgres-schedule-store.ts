import { sql } from 'kysely';
import type { ScheduleRecord, ScheduleStore } from '@floxide/distributed';
import type { SchemaDb } from './schema-db.js';

type Definition = Omit<ScheduleRecord, 'lastTickAt'>;

/**
 * Cron schedules in the `schedules` table (migration 0012): one row per schedule, the definition as JSON
 * and `last_tick`, raised with `greatest` so concurrent schedulers never lower it.
 */
export class PostgresScheduleStore implements ScheduleStore {
  readonly #db: SchemaDb;

  constructor(db: SchemaDb) {
    this.#db = db;
  }

  /** Upserts the definition, keeping `createdAt` and `last_tick` of an existing schedule. */
  async put(record: Definition): Promise<ScheduleRecord> {
    const row = await this.#db.run('schedule write', (k) =>
      k
        .insertInto('schedules')
        .values({ id: record.id, record: JSON.stringify(record) })
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({
            // The first createdAt stays: ticks before the schedule first existed never fire.
            record: sql`excluded.record || jsonb_build_object('createdAt', ${sql.ref('schedules.record')}->'createdAt')`,
          }),
        )
        .returning(['record', 'last_tick'])
        .executeTakeFirstOrThrow(),
    );
    return toRecord(row);
  }

  /** The schedule with its latest fired tick, or `undefined`. */
  async get(id: string): Promise<ScheduleRecord | undefined> {
    const row = await this.#db.run('schedule read', (k) =>
      k.selectFrom('schedules').select(['record', 'last_tick']).where('id', '=', id).executeTakeFirst(),
    );
    return row === undefined ? undefined : toRecord(row);
  }

  /** Every schedule in id order (the column's "C" collation matches JavaScript's order). */
  async list(): Promise<ScheduleRecord[]> {
    const rows = await this.#db.run('schedule list', (k) =>
      k.selectFrom('schedules').select(['record', 'last_tick']).orderBy('id').execute(),
    );
    return rows.map(toRecord);
  }

  /** Removes the schedule; whether it existed. */
  async delete(id: string): Promise<boolean> {
    const result = await this.#db.run('schedule removal', (k) =>
      k.deleteFrom('schedules').where('id', '=', id).executeTakeFirst(),
    );
    return Number(result.numDeletedRows) > 0;
  }

  /** Raises `last_tick` to `tickAt` (never lowers it); missing schedule: no-op. */
  async markFired(id: string, tickAt: number): Promise<void> {
    await this.#db.run('schedule tick', (k) =>
      k
        .updateTable('schedules')
        .set({ last_tick: sql`greatest(coalesce(last_tick, ${Math.round(tickAt)}), ${Math.round(tickAt)})` })
        .where('id', '=', id)
        .execute(),
    );
  }
}

function toRecord(row: { record: unknown; last_tick: string | number | null }): ScheduleRecord {
  const record = row.record as Definition;
  return row.last_tick === null ? record : { ...record, lastTickAt: Number(row.last_tick) };
}
