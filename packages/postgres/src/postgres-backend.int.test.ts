import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { isFloxideError } from '@floxide/core';
import { advance, leaseOne, stepCommit, testRun } from '@floxide/conformance';
import { floxideMigrations } from './migrations/migration-provider.js';
import { PostgresBackend } from './postgres-backend.js';
import {
  createTestBackend,
  destroyTestBackend,
  dropSchema,
  randomSchema,
  TEST_DATABASE_URL,
} from './test-support/postgres-test-init.js';

const opened: PostgresBackend[] = [];

async function open(
  options: ConstructorParameters<typeof PostgresBackend>[0] = {},
): Promise<PostgresBackend> {
  const backend = await createTestBackend(options);
  opened.push(backend);
  return backend;
}

afterEach(async () => {
  for (const backend of opened.splice(0)) await destroyTestBackend(backend);
});

describe('PostgresBackend: migrations and schemas', () => {
  it('migrates once: a second migrate() and concurrent migrations of one schema apply nothing more', async () => {
    const schema = randomSchema();
    const backends = [0, 1, 2].map(
      () => new PostgresBackend({ connectionString: TEST_DATABASE_URL, schema, poolSize: 2 }),
    );
    try {
      const results = await Promise.all(backends.map((b) => b.migrate()));
      const all = Object.keys(floxideMigrations(schema)).length;
      expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, all]);
      expect((await backends[0]?.migrate())?.applied).toEqual([]);
    } finally {
      for (const b of backends) await b.close();
      await dropSchema(schema);
    }
  });

  it('migrates on first use unless autoMigrate is false', async () => {
    const schema = randomSchema();
    const manual = new PostgresBackend({
      connectionString: TEST_DATABASE_URL,
      schema,
      autoMigrate: false,
      poolSize: 2,
    });
    const auto = new PostgresBackend({ connectionString: TEST_DATABASE_URL, schema, poolSize: 2 });
    try {
      await expect(manual.runs.get('x')).rejects.toMatchObject({ code: 'BACKEND', retryable: false });
      expect(await auto.runs.get('x')).toBeUndefined();
      expect(await manual.runs.get('x')).toBeUndefined();
    } finally {
      await manual.close();
      await auto.close();
      await dropSchema(schema);
    }
  });

  it('keeps two schemas apart: runs, items and leases of one are invisible to the other', async () => {
    const a = await open();
    const b = await open();
    await a.startRun(testRun('same-id', { input: 'a' }));
    await b.startRun(testRun('same-id', { input: 'b' }));
    expect((await a.runs.get('same-id'))?.input).toBe('a');
    expect((await b.runs.get('same-id'))?.input).toBe('b');
    const lease = await leaseOne(a);
    await a.commit(stepCommit(lease, advance({ output: 'done-a' })));
    expect((await a.runs.get('same-id'))?.status).toBe('completed');
    expect((await b.runs.get('same-id'))?.status).toBe('queued');
    expect((await leaseOne(b)).item.input).toBe('b');
  });

  it('startRuns stores a batch in one transaction: a run the database refuses stores none of the batch', async () => {
    const backend = await open();
    const good = testRun('batch-good');
    // A version the runs table cannot hold (its column is an integer): start_run fails inside the statement.
    const refused = { ...testRun('batch-refused'), version: 1.5 };
    const error = await backend.startRuns([good, refused]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isFloxideError(error, 'BACKEND')).toBe(true);
    expect(await backend.runs.get('batch-good')).toBeUndefined();
    const results = await backend.startRuns([good, testRun('batch-other'), good]);
    expect(results.map((result) => [result.run.runId, result.created])).toEqual([
      ['batch-good', true],
      ['batch-other', true],
      ['batch-good', false],
    ]);
  });

  it('rejects a schema name that is not a plain identifier', () => {
    expect(() => new PostgresBackend({ schema: 'bad"; drop table x; --' })).toThrow(/Invalid schema name/);
  });

  it('leaves a pool it was given open on close', async () => {
    const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 2 });
    const schema = randomSchema();
    const backend = new PostgresBackend({ pool, schema });
    try {
      await backend.startRun(testRun('own-pool'));
      expect(await backend.queue.lease({ workerId: 'w', leaseMs: 1_000, waitMs: 50 })).toHaveLength(1);
      await backend.close();
      expect((await pool.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await pool.end();
      await dropSchema(schema);
    }
  });
});

describe('PostgresBackend: destroyAllData', () => {
  it('drops the schema with everything in it, leaving other schemas alone', async () => {
    const doomed = await open();
    const kept = await open();
    await doomed.startRun(testRun('doomed'));
    await kept.startRun(testRun('kept'));
    await doomed.destroyAllData();
    const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
    try {
      const found = await pool.query('select nspname from pg_namespace where nspname = any($1)', [
        [doomed.schema, kept.schema],
      ]);
      expect(found.rows.map((r: { nspname: string }) => r.nspname)).toEqual([kept.schema]);
    } finally {
      await pool.end();
    }
    expect(await kept.runs.get('kept')).toMatchObject({ runId: 'kept' });
  });
});

describe('PostgresBackend: errors', () => {
  it('reports an unreachable server as a retryable BackendError without the connection string or password', async () => {
    const url = 'postgres://floxide_user:Sup3rS3cret@127.0.0.1:1/nowhere';
    const backend = new PostgresBackend({ connectionString: url, schema: 'floxide' });
    try {
      const error: unknown = await backend.runs.get('x').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isFloxideError(error, 'BACKEND')).toBe(true);
      expect(error).toMatchObject({ retryable: true });
      const text = `${String(error)} ${JSON.stringify(error)} ${(error as Error).stack ?? ''} ${String((error as Error).cause)}`;
      expect(text).not.toContain('Sup3rS3cret');
      expect(text).not.toContain('postgres://');
    } finally {
      await backend.close();
    }
  });
});

describe('PostgresBackend: retention', () => {
  it('deletes finished runs older than the cut-off with all their rows, and nothing else', async () => {
    const backend = await open();
    await backend.startRun(testRun('old-done'));
    await backend.commit(stepCommit(await leaseOne(backend), advance({ output: 1 })));
    await backend.startRun(testRun('old-cancelled'));
    await backend.control('old-cancelled', 'cancel');
    await backend.startRun(testRun('still-queued'));
    expect(await backend.deleteFinishedRuns({ olderThanMs: 60_000 })).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await backend.deleteFinishedRuns({ olderThanMs: 0, batchSize: 1 })).toBe(2);
    expect(await backend.runs.get('old-done')).toBeUndefined();
    expect(await backend.items.list('old-done')).toEqual([]);
    expect(await backend.events.read('old-done', 0)).toEqual([]);
    expect(await backend.metrics.get('old-cancelled')).toBeUndefined();
    expect((await backend.runs.get('still-queued'))?.status).toBe('queued');
    expect(await backend.items.list('still-queued')).toHaveLength(1);
  });
});
