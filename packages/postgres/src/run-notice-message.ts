import type { PgPoolLike } from './pg-pool-like.js';
import type { SchemaDb } from './schema-db.js';

/**
 * Sends one multi-statement simple-protocol message (a transaction, its COMMIT, then the send of its feed
 * notices: see `notices-after-commit.ts`) on a pooled connection; returns pg's result of each statement.
 *
 * @remarks
 * Goes through {@link SchemaDb.run} (migrations first, driver errors translated as `operation`) but talks to
 * the pool directly: Kysely's connection expects one result per query. A failed message left the connection
 * inside its aborted transaction, so it is rolled back before the connection goes back to the pool (or
 * discarded when even that fails).
 */
export async function runNoticeMessage(
  db: SchemaDb,
  pool: PgPoolLike,
  operation: string,
  message: string,
): Promise<unknown[]> {
  return db.run(operation, async () => {
    const client = await pool.connect();
    let results: unknown;
    try {
      // No parameters: pg sends a simple-protocol Query, the only kind that may hold several statements.
      results = await client.query(message, []);
    } catch (error) {
      try {
        await client.query('rollback', []);
        client.release();
      } catch {
        client.release(true);
      }
      throw error;
    }
    client.release();
    return Array.isArray(results) ? (results as unknown[]) : [results];
  });
}
