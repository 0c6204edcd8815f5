import pg from 'pg';
import { TEST_DATABASE_URL } from './test-database-url.js';

/**
 * Registers a feed reader in `schema` (migration `0025_feed_readers`) as a process reading the change feed
 * would, so commits and claims send their feed notices to a raw LISTEN session (which alone is no reader).
 * `ttlMs`: how long the row counts (never refreshed: a process that died).
 */
export async function registerFeedReader(
  schema: string,
  readerId = 'test-reader',
  ttlMs = 600_000,
): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`select "${schema}".register_feed_reader($1, $2::bigint)`, [readerId, ttlMs]);
  } finally {
    await client.end();
  }
}
