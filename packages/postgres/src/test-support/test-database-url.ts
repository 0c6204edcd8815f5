/** The test database: `DATABASE_URL`, else the local trust-auth server. */
export const TEST_DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
