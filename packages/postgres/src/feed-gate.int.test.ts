// Feed notices are sent only while a feed reader is registered (migration 0025_feed_readers): with no
// reader, a commit sends no feed NOTIFY (and its message no post-commit send); once a reader registers,
// commits notify again; a reader that starts late still reads every event; a registration that is not
// refreshed (its process died) stops counting at its expiry; `wait` resolves promptly either way.
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { node, workflow } from '@floxide/core';
import { waitFor } from '@floxide/conformance';
import { DistributedOrchestrator, DistributedWorker, type FeedEvent } from '@floxide/distributed';
import { NOTICE_SEND_MARKER } from './notices-after-commit.js';
import { feedChannel } from './notify-channel.js';
import type { PgPoolClientLike, PgPoolLike } from './pg-pool-like.js';
import { PostgresBackend } from './postgres-backend.js';
import { registerFeedReader } from './test-support/feed-reader.js';
import {
  createTestBackend,
  destroyTestBackend,
  TEST_DATABASE_URL,
} from './test-support/postgres-test-init.js';

const double = node({ name: 'double', process: (n: number) => n * 2 });
const inc = node({ name: 'inc', process: (n: number) => n + 1 });
const wf = workflow({ name: 'feed-gate', version: 1 }).start(double).edge(double, inc).build();

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A raw session LISTENing on the schema's feed channel (no registered reader): every payload. */
async function listenFeed(schema: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  const payloads: string[] = [];
  client.on('notification', (message) => {
    if (message.channel === feedChannel(schema)) payloads.push(message.payload ?? '');
  });
  await client.query(`listen "${feedChannel(schema)}"`);
  cleanups.push(() => client.end());
  return payloads;
}

/** A real pg pool that records the text of every string query. */
function recordingPool(): { pool: PgPoolLike; texts: string[] } {
  const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 4 });
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

const commitMessages = (texts: readonly string[]): string[] =>
  texts.filter((text) => /\.(commit_step_notify_after|commit_steps)\(/.test(text));

/** Starts a worker on `backend`, closed after the test. */
async function startWorker(backend: PostgresBackend): Promise<void> {
  const worker = new DistributedWorker({ backend, workflows: [wf], idleWaitMs: 200 });
  cleanups.push(() => worker.close({ graceMs: 1_000 }));
  await worker.start();
}

/** A second process's backend on the same schema (an orchestrator elsewhere), closed after the test. */
function sameSchema(schema: string): PostgresBackend {
  const backend = new PostgresBackend({ connectionString: TEST_DATABASE_URL, schema, poolSize: 2 });
  cleanups.push(() => backend.close());
  return backend;
}

describe('postgres feed gate: notices only while a feed reader is registered', () => {
  it('with no reader a commit sends no feed NOTIFY and no post-commit send; a registered reader turns them on', async () => {
    const { pool, texts } = recordingPool();
    const backend = await createTestBackend({ pool });
    cleanups.push(() => destroyTestBackend(backend));
    const payloads = await listenFeed(backend.schema);
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
    await startWorker(backend);
    const first = await orchestrator.start(wf, 1);
    await waitFor(async () => (await backend.runs.get(first))?.status === 'completed');
    const second = await orchestrator.start(wf, 2);
    await waitFor(async () => (await backend.runs.get(second))?.status === 'completed');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(payloads).toEqual([]);
    // The first message learned that the gate is closed: the later ones leave the send out.
    const closed = commitMessages(texts);
    expect(closed.length).toBeGreaterThanOrEqual(4);
    expect(closed.slice(1).every((text) => !text.includes(NOTICE_SEND_MARKER))).toBe(true);

    await registerFeedReader(backend.schema);
    const third = await orchestrator.start(wf, 3);
    await waitFor(async () => (await backend.runs.get(third))?.status === 'completed');
    // The start notifies from its own transaction; the commits' notices name the run once it finished.
    await waitFor(() => payloads.some((payload) => payload.includes(third)));
    const opened = commitMessages(texts).slice(closed.length);
    // The first commit after the registration still had no send (it notified from its transaction) and
    // turned the send back on for the next.
    expect(opened.length).toBe(2);
    expect(opened[1]).toContain(NOTICE_SEND_MARKER);
  }, 60_000);

  it('a reader that starts after the commits still reads every event, and wait resolves at once', async () => {
    const backend = await createTestBackend();
    cleanups.push(() => destroyTestBackend(backend));
    const head = await backend.feed.head();
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
    await startWorker(backend);
    const runIds = await Promise.all([1, 2, 3].map((n) => orchestrator.start(wf, n)));
    for (const runId of runIds)
      await waitFor(async () => (await backend.runs.get(runId))?.status === 'completed');
    // An orchestrator process that starts now: its wait and its reads find everything committed.
    const late = sameSchema(backend.schema);
    const lateOrchestrator = new DistributedOrchestrator({ backend: late, workflows: [wf] });
    const started = Date.now();
    const infos = await Promise.all(
      runIds.map((runId) => lateOrchestrator.wait(runId, { timeoutMs: 20_000 })),
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(infos.map((info) => info.output)).toEqual([3, 5, 7]);
    const events: FeedEvent[] = [];
    let position = head;
    await waitFor(async () => {
      const page = await late.feed.read(position, { waitMs: 200 });
      events.push(...page.events);
      position = page.position;
      return runIds.every((runId) => events.some((e) => e.runId === runId && e.status === 'completed'));
    });
    for (const runId of runIds) {
      const seqs = events.filter((e) => e.runId === runId).map((e) => e.seq);
      expect(seqs).toEqual((await backend.events.read(runId, 0)).map((e) => e.seq));
    }
  }, 60_000);

  it('wait resolves within a few hundred ms when its orchestrator registered while the worker had the gate closed', async () => {
    const backend = await createTestBackend();
    cleanups.push(() => destroyTestBackend(backend));
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
    await startWorker(backend);
    // The worker learns that no reader is registered.
    const warm = await orchestrator.start(wf, 1);
    await waitFor(async () => (await backend.runs.get(warm))?.status === 'completed');
    // Another process starts waiting (and registers) while runs are under way.
    const other = sameSchema(backend.schema);
    const otherOrchestrator = new DistributedOrchestrator({ backend: other, workflows: [wf] });
    for (let n = 0; n < 3; n++) {
      const runId = await otherOrchestrator.start(wf, n);
      const info = await otherOrchestrator.wait(runId, { timeoutMs: 20_000 });
      const resolvedAt = Date.now();
      expect(info.status).toBe('completed');
      // The run's finish time is the database's clock (same machine): resolved well before the 1.5 s
      // fallback poll, so by a notice.
      expect(resolvedAt - (info.finishedAt ?? 0)).toBeLessThan(1_000);
    }
  }, 60_000);

  it('a reader whose process died stops gating at its expiry', async () => {
    const backend = await createTestBackend();
    cleanups.push(() => destroyTestBackend(backend));
    const payloads = await listenFeed(backend.schema);
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
    await startWorker(backend);
    // A registration never refreshed: the process that made it is gone.
    await registerFeedReader(backend.schema, 'dead-process', 1_500);
    const before = await orchestrator.start(wf, 1);
    await waitFor(() => payloads.some((payload) => payload.includes(before)));
    await new Promise((resolve) => setTimeout(resolve, 1_700));
    const count = payloads.length;
    const after = await orchestrator.start(wf, 2);
    await waitFor(async () => (await backend.runs.get(after))?.status === 'completed');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(payloads.length).toBe(count);
  }, 60_000);

  it('a closed backend removes its registration', async () => {
    const backend = await createTestBackend();
    cleanups.push(() => destroyTestBackend(backend));
    const reader = sameSchema(backend.schema);
    await reader.feed.read(await reader.feed.head(), { waitMs: 50 });
    const count = async (): Promise<number> => {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        const result = await client.query<{ n: number }>(
          `select count(*)::int as n from "${backend.schema}".feed_readers`,
        );
        return result.rows[0]?.n ?? -1;
      } finally {
        await client.end();
      }
    };
    expect(await count()).toBe(1);
    await reader.close();
    expect(await count()).toBe(0);
  }, 60_000);
});
