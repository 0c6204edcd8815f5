// The backend behind PgBouncer in transaction mode: migrations, wake-ups with and without a direct LISTEN
// connection. The conformance suites and the crash test run through PgBouncer too (vitest project
// `pgbouncer`).
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testRun } from '@floxide/conformance';
import { PostgresBackend } from './postgres-backend.js';
import type { PostgresBackendOptions } from './postgres-backend-options.js';
import {
  createTestBackend,
  destroyTestBackend,
  dropSchema,
  randomSchema,
  TEST_DATABASE_URL,
} from './test-support/postgres-test-init.js';
import { TempPgBouncer } from './test-support/temp-pgbouncer.js';

describe('PostgresBackend behind PgBouncer (transaction mode)', () => {
  let bouncer: TempPgBouncer;
  const opened: PostgresBackend[] = [];

  /** A backend through the pooler, in `schema` (not migrated). */
  function pooled(schema: string, options: PostgresBackendOptions = {}): PostgresBackend {
    const backend = new PostgresBackend({
      connectionString: bouncer.url,
      transactionPooler: true,
      poolSize: 3,
      schema,
      ...options,
    });
    opened.push(backend);
    return backend;
  }

  beforeAll(async () => {
    // Two server connections for every client: transactions of different clients share them.
    bouncer = await TempPgBouncer.start({ upstream: TEST_DATABASE_URL, poolSize: 2 });
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((backend) => backend.close()));
  });

  afterAll(async () => {
    await bouncer.stop();
  });

  it('rejects a poll interval that would spin and an empty listenConnection, with a BackendError', () => {
    for (const fallbackPollMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new PostgresBackend({ transactionPooler: true, fallbackPollMs })).toThrow(
        expect.objectContaining({ name: 'BackendError', message: expect.stringMatching(/fallbackPollMs/) }),
      );
    }
    expect(() => new PostgresBackend({ listenConnection: '' })).toThrow(/Invalid listenConnection/);
  });

  it('migrates one schema from three processes at once and leaves no advisory lock behind', async () => {
    const schema = randomSchema();
    try {
      const results = await Promise.all(
        [pooled(schema), pooled(schema), pooled(schema)].map((b) => b.migrate()),
      );
      // Exactly one of them applied the migrations; the others found the schema up to date.
      expect(results.filter((r) => r.applied.length > 0)).toHaveLength(1);
      const direct = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await direct.connect();
      try {
        const locks = await direct.query<{ n: string }>(
          `select count(*) as n from pg_locks
            where locktype = 'advisory' and objsubid = 1
              and objid = (hashtext($1)::bigint & 4294967295)::oid`,
          [`floxide:${schema}`],
        );
        expect(Number(locks.rows[0]?.n)).toBe(0);
      } finally {
        await direct.end();
      }
      // The schema works through the pooler.
      await pooled(schema).startRun(testRun('migrated'));
      expect((await pooled(schema).runs.get('migrated'))?.status).toBe('queued');
    } finally {
      await dropSchema(schema);
    }
  });

  describe('with no LISTEN connection', () => {
    let writer: PostgresBackend;

    beforeAll(async () => {
      writer = await createTestBackend();
    });

    afterAll(async () => {
      await destroyTestBackend(writer);
    });

    it('a waiting lease call polls: it finds new work within the poll interval, and registers no waiter', async () => {
      const backend = pooled(writer.schema, { fallbackPollMs: 300 });
      const started = Date.now();
      const lease = backend.queue.lease({ workerId: 'w', leaseMs: 10_000, max: 1, waitMs: 15_000 });
      await new Promise((resolve) => setTimeout(resolve, 600));
      await writer.startRun(testRun('polled'));
      const leases = await lease;
      expect(leases.map((l) => l.item.runId)).toEqual(['polled']);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(600);
      // 300 ms polls; the rest is slack for a loaded machine. Without polling it would wait the full 15 s.
      expect(elapsed).toBeLessThan(5_000);
      // No commit is made to NOTIFY for a listener that does not exist.
      const waiters = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
      try {
        const rows = await waiters.query<{ n: string }>(
          `select count(*) as n from "${writer.schema}".waiters`,
        );
        expect(Number(rows.rows[0]?.n)).toBe(0);
      } finally {
        await waiters.end();
      }
    });

    it('a waiting change-feed read polls: it returns a new event within the poll interval', async () => {
      const backend = pooled(writer.schema, { fallbackPollMs: 300 });
      let position = await backend.feed.head();
      const started = Date.now();
      const seen: string[] = [];
      const start = new Promise((resolve) => setTimeout(resolve, 600)).then(() =>
        writer.startRun(testRun('fed')),
      );
      // The head may lie before events of the previous test: read on until the new run's event arrives.
      while (!seen.includes('fed') && Date.now() - started < 15_000) {
        const page = await backend.feed.read(position, { waitMs: 15_000 });
        seen.push(...page.events.map((e) => e.runId));
        position = page.position;
      }
      await start;
      expect(seen).toContain('fed');
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  });

  it('with a direct listenConnection, a waiting lease call is woken by NOTIFY, not by the poll', async () => {
    const writer = await createTestBackend();
    try {
      const backend = pooled(writer.schema, { listenConnection: TEST_DATABASE_URL, fallbackPollMs: 30_000 });
      const started = Date.now();
      const lease = backend.queue.lease({ workerId: 'w', leaseMs: 10_000, max: 1, waitMs: 20_000 });
      await new Promise((resolve) => setTimeout(resolve, 600));
      await writer.startRun(testRun('notified'));
      expect((await lease).map((l) => l.item.runId)).toEqual(['notified']);
      // A 30 s poll interval and a 20 s wait: only the notification can end it this early.
      expect(Date.now() - started).toBeLessThan(8_000);
    } finally {
      await destroyTestBackend(writer);
    }
  });
});
