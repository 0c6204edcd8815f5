/** Redis URL of the bench: `REDIS_URL`, else the local default. */
export function redisUrl(): string {
  return process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
}

/** PostgreSQL URL of the bench: `DATABASE_URL`, else the local default (trust auth). */
export function databaseUrl(): string {
  return process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
}

/** A short unique suffix for key prefixes, schema and database names (lowercase, SQL-safe). */
export function uniqueSuffix(): string {
  return `${process.pid.toString(36)}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}
