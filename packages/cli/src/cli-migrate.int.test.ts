import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { driverOf, floxide } from './test-support/floxide-binary.js';

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `floxide_cli_migrate_${randomBytes(4).toString('hex')}`;
const url = new URL(DATABASE_URL);
const where = `${url.hostname}:${url.port === '' ? '5432' : url.port}`;
const env = { FLOXIDE_BACKEND: 'postgres', DATABASE_URL, FLOXIDE_SCHEMA: schema };

interface PgClient {
  connect(): Promise<void>;
  query(sql: string, values?: unknown[]): Promise<{ rows: { n: number }[] }>;
  end(): Promise<void>;
}

async function withClient<T>(fn: (client: PgClient) => Promise<T>): Promise<T> {
  const pg = driverOf<{ Client: new (options: object) => PgClient }>('@floxide/postgres', 'pg');
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const schemaExists = () =>
  withClient(async (client) => {
    const { rows } = await client.query(
      'SELECT count(*)::int AS n FROM information_schema.schemata WHERE schema_name = $1',
      [schema],
    );
    return (rows[0]?.n ?? 0) > 0;
  });

afterAll(async () => {
  await withClient((client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
});

describe('floxide migrate and read commands on PostgreSQL', () => {
  it('read commands create nothing and name floxide migrate when the schema is missing', async () => {
    for (const args of [['runs'], ['status', 'r1'], ['workers'], ['pause', 'r1']]) {
      const result = await floxide(args, env);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toBe(
        `floxide: ${args[0]}: no Floxide tables in schema "${schema}" of PostgreSQL at ${where}: ` +
          'run `floxide migrate` to create them [BACKEND]\n',
      );
    }
    expect(await schemaExists()).toBe(false);
  });

  it('creates the tables with floxide migrate, once', async () => {
    const first = await floxide(['migrate'], env);
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(new RegExp(`^schema ${schema}: applied \\S+`));
    expect(await schemaExists()).toBe(true);
    const second = await floxide(['migrate'], env);
    expect(second.stdout).toBe(`schema ${schema} is up to date\n`);
    const runs = await floxide(['runs'], env);
    expect(runs).toMatchObject({ code: 0, stdout: 'no runs\n', stderr: '' });
  });
});
