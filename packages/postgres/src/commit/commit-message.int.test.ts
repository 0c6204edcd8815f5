// A step commit is one simple-protocol message (commit-message.ts): the commit in its own transaction, then
// the send of its feed notices, with no round trip back to the client in between. These tests check that
// the notices leave without a query of their own, that the commit is durable before they are sent, and
// that a failed message leaves its pooled connection usable (the message's BEGIN would otherwise leave it
// inside an aborted transaction).
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { BackendError } from '@floxide/core';
import { node, workflow } from '@floxide/core';
import { waitFor } from '@floxide/conformance';
import { DistributedOrchestrator, DistributedWorker } from '@floxide/distributed';
import { feedChannel } from '../notify-channel.js';
import type { PgPoolClientLike, PgPoolLike } from '../pg-pool-like.js';
import { parseFinishedRecord } from '../postgres-change-feed.js';
import { SchemaDb } from '../schema-db.js';
import {
  createTestBackend,
  destroyTestBackend,
  dropSchema,
  randomSchema,
  TEST_DATABASE_URL,
} from '../test-support/postgres-test-init.js';
import { NOTICE_SEND_MARKER } from '../notices-after-commit.js';
import { runCommitMessage } from './run-commit-message.js';

const triple = node({ name: 'triple', process: (n: number) => n * 3 });
const wf = workflow({ name: 'commit-message', version: 1 }).start(triple).build();

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A real pg pool that records the text of every query sent through it. */
function recordingPool(max: number): { pool: PgPoolLike; texts: string[] } {
  const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max });
  pool.on('error', () => undefined);
  const texts: string[] = [];
  const patched = new WeakSet<object>();
  const like: PgPoolLike = {
    async connect() {
      const client = await pool.connect();
      if (!patched.has(client)) {
        patched.add(client);
        const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
        (client as { query: unknown }).query = (...args: unknown[]) => {
          if (typeof args[0] === 'string') texts.push(args[0]);
          return query(...args);
        };
      }
      return client as unknown as PgPoolClientLike;
    },
    end: () => pool.end(),
  };
  cleanups.push(() => pool.end());
  return { pool: like, texts };
}

describe('postgres step commit message', () => {
  it('sends the feed notices in the commit message itself, after its COMMIT: no query of their own', async () => {
    const { pool, texts } = recordingPool(4);
    const backend = await createTestBackend({ pool });
    cleanups.push(() => destroyTestBackend(backend));
    const listener = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await listener.connect();
    cleanups.push(() => listener.end());
    const payloads: string[] = [];
    listener.on('notification', (message) => payloads.push(message.payload ?? ''));
    await listener.query(`listen "${feedChannel(backend.schema)}"`);
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
    const worker = new DistributedWorker({ backend, workflows: [wf], idleWaitMs: 200 });
    cleanups.push(() => worker.close({ graceMs: 1_000 }));
    const runId = await orchestrator.start(wf, 5);
    await worker.start();
    await waitFor(() => payloads.some((payload) => parseFinishedRecord(payload)?.runId === runId));
    const record = payloads.map(parseFinishedRecord).find((run) => run?.runId === runId);
    expect(record).toMatchObject({ status: 'completed', output: 15 });

    // (The migrations that ran through the pool mention the functions too: only the commit messages count.)
    const commits = texts.filter(
      (text) => text.startsWith('begin;') && text.includes('commit_step_notify_after('),
    );
    expect(commits.length).toBeGreaterThan(0);
    for (const text of commits) {
      // Commit, then the send: the notices cannot leave before the commit is durable.
      const [commitPart = '', sendPart = ''] = text.split(NOTICE_SEND_MARKER);
      expect(commitPart).toMatch(/^begin;[\s\S]*commit_step_notify_after\([\s\S]*;\ncommit;$/);
      expect(sendPart).toContain('.feed_notify(');
    }
    // Before, the notices left in a `select <schema>.feed_notify(...)` of their own after the answer came back.
    expect(texts.filter((text) => /^select \S+\.feed_notify\(/.test(text))).toEqual([]);
  }, 60_000);

  it('a failed commit message rolls back: a BackendError, and the connection serves the next query', async () => {
    const schema = randomSchema();
    cleanups.push(() => dropSchema(schema));
    // One connection: the query after the failure must run on the very connection that failed.
    const { pool } = recordingPool(1);
    const kysely = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
    const db = new SchemaDb({ db: kysely, schema, autoMigrate: true });
    await db.migrate();
    // Not JSON: the cast fails inside the message's transaction, after its BEGIN.
    const failed = await runCommitMessage(db, pool, 'not json').catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(BackendError);
    expect((failed as BackendError).message).toMatch(/^PostgreSQL commit failed/);
    const client = await pool.connect();
    try {
      const state = await client.query<{ ok: number; after: string | null }>(
        `select 1 as ok, current_setting('floxide.feed_after', true) as after`,
        [],
      );
      expect(state.rows[0]?.ok).toBe(1);
      expect(state.rows[0]?.after ?? '').toBe('');
    } finally {
      client.release();
    }
  }, 60_000);
});
