import type { LivenessStore, WorkerHealth } from '@floxide/distributed';
import type { SchemaDb } from './schema-db.js';

/** Worker heartbeats in the `workers` table, one row per worker (last write wins). */
export class PostgresLivenessStore implements LivenessStore {
  readonly #db: SchemaDb;

  constructor(db: SchemaDb) {
    this.#db = db;
  }

  /** Replaces the worker's record. */
  async heartbeat(health: WorkerHealth): Promise<void> {
    const row = {
      worker_id: health.workerId,
      health: JSON.stringify(health),
      last_heartbeat: Math.round(health.lastHeartbeat),
    };
    await this.#db.run('heartbeat', (k) =>
      k
        .insertInto('workers')
        .values(row)
        .onConflict((oc) =>
          oc.column('worker_id').doUpdateSet({ health: row.health, last_heartbeat: row.last_heartbeat }),
        )
        .execute(),
    );
  }

  /** The worker's last record, or `undefined`. */
  async get(workerId: string): Promise<WorkerHealth | undefined> {
    const row = await this.#db.run('worker read', (k) =>
      k.selectFrom('workers').select('health').where('worker_id', '=', workerId).executeTakeFirst(),
    );
    return row?.health as WorkerHealth | undefined;
  }

  /** Every known worker in worker-id order (the column's "C" collation matches JavaScript's order). */
  async list(): Promise<WorkerHealth[]> {
    const rows = await this.#db.run('worker list', (k) =>
      k.selectFrom('workers').select('health').orderBy('worker_id').execute(),
    );
    return rows.map((row) => row.health as WorkerHealth);
  }

  /** Forgets the worker; idempotent. */
  async remove(workerId: string): Promise<void> {
    await this.#db.run('worker removal', (k) =>
      k.deleteFrom('workers').where('worker_id', '=', workerId).execute(),
    );
  }
}
