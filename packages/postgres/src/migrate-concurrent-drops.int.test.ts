// Regression: migrate() failed with "relation <another schema>.work_items does not exist" (42P01) or
// "schema ... does not exist" (3F000) when other sessions dropped their schemas meanwhile — Kysely's
// migrator introspects every table of the database before migrating. Parallel test files hit it often.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createTestBackend,
  destroyTestBackend,
  dropSchema,
  TEST_DATABASE_URL,
} from './test-support/postgres-test-init.js';

const churn = `floxide_churn_${process.pid}`;

afterAll(async () => {
  for (let i = 0; i < 4; i += 1) await dropSchema(`${churn}_${i}`);
});

describe('migrate while other sessions drop their schemas', () => {
  it('migrates every schema although tables vanish under the migrator’s introspection', async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    let stop = false;
    // Another session creating and dropping schemas full of tables, as parallel test files do.
    const churning = (async () => {
      for (let round = 0; !stop; round += 1) {
        const schema = `${churn}_${round % 4}`;
        await client.query(`create schema if not exists "${schema}"`);
        for (let t = 0; t < 20; t += 1)
          await client.query(`create table if not exists "${schema}".t${t} (id serial primary key)`);
        await client.query(`drop schema "${schema}" cascade`);
      }
    })();
    try {
      for (let i = 0; i < 8; i += 1) {
        const backend = await createTestBackend();
        expect(await backend.runs.get('none')).toBeUndefined();
        await destroyTestBackend(backend);
      }
    } finally {
      stop = true;
      await churning;
      await client.end();
    }
  }, 120_000);
});
