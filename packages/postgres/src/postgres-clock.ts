import type { BackendClock } from '@floxide/distributed';
import { sql } from 'kysely';
import type { SchemaDb } from './schema-db.js';

/** How long a measured offset between this process's clock and the database's is trusted. */
const REFRESH_MS = 10_000;

/**
 * The database clock (`clock_timestamp()`), estimated from this process's clock and an offset measured with
 * one query at most {@link REFRESH_MS} ago, so workers judge run deadlines by the same clock the database
 * judges due times and leases by, at no round trip per step.
 */
export class PostgresClock implements BackendClock {
  readonly #db: SchemaDb;
  readonly #local: () => number;
  #offset: { value: number; at: number } | undefined;

  constructor(db: SchemaDb, local: () => number) {
    this.#db = db;
    this.#local = local;
  }

  /** The database's current time (epoch ms). */
  async now(): Promise<number> {
    const local = this.#local();
    const known = this.#offset;
    if (known && Math.abs(local - known.at) <= REFRESH_MS) return local + known.value;
    const before = this.#local();
    const result = await this.#db.run('clock read', (k) =>
      sql<{
        now: string | number;
      }>`select (extract(epoch from clock_timestamp()) * 1000)::bigint as now`.execute(k),
    );
    const after = this.#local();
    const server = Number(result.rows[0]?.now);
    this.#offset = { value: server - (before + after) / 2, at: after };
    return server + (after - before) / 2;
  }
}
