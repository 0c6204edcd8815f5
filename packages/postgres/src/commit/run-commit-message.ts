import type { PgPoolLike } from '../pg-pool-like.js';
import type { SchemaDb } from '../schema-db.js';
import { commitMessage, commitMessageAnswer, type CommitFunction } from './commit-message.js';

/**
 * Sends one {@link commitMessage} on a pooled connection and returns its commit statement's `result`
 * (`fn`: the function it calls, one step by default).
 *
 * @remarks
 * Goes through {@link SchemaDb.run} (migrations first, driver errors translated as `commit`) but talks to
 * the pool directly: Kysely's connection expects one result per query, the message returns four. A failed
 * message left the connection inside its aborted transaction, so it is rolled back before the connection
 * goes back to the pool (or discarded when even that fails).
 */
export async function runCommitMessage(
  db: SchemaDb,
  pool: PgPoolLike,
  payload: string,
  fn?: CommitFunction,
): Promise<unknown> {
  return db.run('commit', async () => {
    const client = await pool.connect();
    let results: unknown;
    try {
      // No parameters: pg sends a simple-protocol Query, the only kind that may hold several statements.
      results = await client.query(commitMessage(db.schema, payload, fn), []);
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
    return commitMessageAnswer(results);
  });
}
