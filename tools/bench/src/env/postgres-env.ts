import pg from 'pg';
import { uniqueSuffix } from './service-urls.js';

/** A database created for one scenario, dropped by {@link ScratchDatabase.drop}. */
export interface ScratchDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/** `url` with its database name replaced. */
function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * Creates a fresh database next to the one `adminUrl` points at.
 *
 * @remarks
 * A database of its own (not just a schema) because `pg_stat_database` counts transactions per database,
 * and the shared `test` database also serves other test runs.
 */
export async function createScratchDatabase(adminUrl: string, label: string): Promise<ScratchDatabase> {
  const name = `floxide_bench_${label}_${uniqueSuffix()}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: withDatabase(adminUrl, name),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Transaction counters of one database (`pg_stat_database`), read after its sessions ended. */
export async function databaseXacts(
  adminUrl: string,
  database: string,
): Promise<{ commits: number; rollbacks: number }> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    // Counters reach pg_stat_database when a session flushes them (at the latest when it ends): callers
    // read this after the contender's sessions closed.
    const result = await client.query<{ xact_commit: string; xact_rollback: string }>(
      'SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = $1',
      [database],
    );
    const row = result.rows[0];
    return { commits: Number(row?.xact_commit ?? 0), rollbacks: Number(row?.xact_rollback ?? 0) };
  } finally {
    await client.end();
  }
}

/** The server's version (`SHOW server_version`). */
export async function postgresVersion(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    const result = await client.query<{ server_version: string }>('SHOW server_version');
    return result.rows[0]?.server_version;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Whether `pg_stat_statements` is loaded (it needs `shared_preload_libraries`, i.e. a server restart). */
export async function statStatementsLoaded(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ setting: string }>(
      "SELECT current_setting('shared_preload_libraries') AS setting",
    );
    return (result.rows[0]?.setting ?? '').includes('pg_stat_statements');
  } finally {
    await client.end();
  }
}
