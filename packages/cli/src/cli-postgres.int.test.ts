import { randomBytes } from 'node:crypto';
import { driverOf } from './test-support/floxide-binary.js';
import { describeCliScenarios } from './test-support/cli-scenarios.js';

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `floxide_cli_test_${randomBytes(4).toString('hex')}`;

interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}

describeCliScenarios({
  name: 'postgres',
  env: { FLOXIDE_BACKEND: 'postgres', DATABASE_URL, FLOXIDE_SCHEMA: schema },
  async cleanup() {
    const pg = driverOf<{ Client: new (options: object) => PgClient }>('@floxide/postgres', 'pg');
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      await client.end();
    }
  },
});
