import pg from 'pg';

/** The PostgreSQL URL of a contender environment, or a clear error when the scenario forgot it. */
export function requireDatabaseUrl(env: { readonly databaseUrl?: string }): string {
  if (!env.databaseUrl) throw new Error('this contender needs a PostgreSQL URL');
  return env.databaseUrl;
}

/** A SQL identifier from a bench namespace (already lowercase and `[a-z0-9_]`), quoted. */
export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a safe identifier: ${name}`);
  return `"${name}"`;
}

/** Runs one query on a short-lived connection and returns its rows. */
export async function queryOnce<TRow extends pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<TRow[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<TRow>(text, values)).rows;
  } finally {
    await client.end();
  }
}
