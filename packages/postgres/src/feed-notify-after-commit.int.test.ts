// A step commit's feed notifications leave after the commit (migration 0020_feed_notify_after_commit):
// PostgreSQL holds a database-wide lock from a notifying transaction's commit record through its WAL flush,
// so a NOTIFY inside every step commit made the commits of a busy worker queue one behind the other, and the
// finished-run notice reached `wait` only after that queue. These tests hold back or drop the post-commit
// send and check that the commit itself notified nothing, that the notices come once sent, and that a lost
// send costs only latency: `wait` and the ordered feed still find every committed event.
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { node, workflow } from '@floxide/core';
import { waitFor } from '@floxide/conformance';
import { DistributedOrchestrator, DistributedWorker, type FeedEvent } from '@floxide/distributed';
import { NOTICE_SEND_MARKER } from './notices-after-commit.js';
import { feedChannel } from './notify-channel.js';
import type { PgPoolClientLike, PgPoolLike } from './pg-pool-like.js';
import type { PostgresBackend } from './postgres-backend.js';
import { parseFinishedRecord } from './postgres-change-feed.js';
import {
  createTestBackend,
  destroyTestBackend,
  TEST_DATABASE_URL,
} from './test-support/postgres-test-init.js';

const double = node({ name: 'double', process: (n: number) => n * 2 });
const wf = workflow({ name: 'notify-after-commit', version: 1 }).start(double).build();

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A step commit's message (claims also send their notices after their COMMIT: see {@link isClaim}). */
function isStepCommit(text: string): boolean {
  return text.includes(NOTICE_SEND_MARKER) && /\.(commit_step_notify_after|commit_steps)\(/.test(text);
}

/** A claim's message (`claim-message.ts`). */
function isClaim(text: string): boolean {
  return text.includes(NOTICE_SEND_MARKER) && text.includes('.claim_items(');
}

/**
 * A real pg pool whose step commits (one message: the commit, then the post-commit send of its notices, see
 * `commit/commit-message.ts`), or the messages `intercepts` picks, are split at the send: the commit part runs at once, the send part waits for
 * `open()` (`hold`) or is left out (`drop`); every other query passes straight through.
 */
function interceptingPool(
  mode: 'hold' | 'drop',
  intercepts: (text: string) => boolean = isStepCommit,
): {
  pool: PgPoolLike;
  sends: () => number;
  open: () => void;
} {
  const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 4 });
  pool.on('error', () => undefined);
  let sends = 0;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const patched = new WeakSet<object>();
  const like: PgPoolLike = {
    async connect() {
      const client = await pool.connect();
      if (!patched.has(client)) {
        patched.add(client);
        const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
        (client as { query: unknown }).query = async (...args: unknown[]) => {
          const text = args[0];
          if (typeof text !== 'string' || !intercepts(text)) return query(...args);
          const [commitPart, sendPart] = text.split(NOTICE_SEND_MARKER) as [string, string];
          sends += 1;
          const committed = (await query(commitPart, [])) as unknown[];
          if (mode === 'drop') return committed;
          await gate;
          return [...committed, await query(sendPart, [])];
        };
      }
      return client as unknown as PgPoolClientLike;
    },
    end: () => pool.end(),
  };
  cleanups.push(async () => {
    open();
    await pool.end();
  });
  return { pool: like, sends: () => sends, open };
}

/** A separate session LISTENing on the schema's feed channel: every payload, in arrival order. */
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

/** Whether any payload names `runId`: its finished-run record or an ids hint. */
function names(payloads: readonly string[], runId: string): boolean {
  return payloads.some((payload) => parseFinishedRecord(payload)?.runId === runId || payload.includes(runId));
}

describe('postgres feed notifications after the step commit', () => {
  it('the final commit notifies nothing itself; its record comes once the post-commit send goes', async () => {
    const intercept = interceptingPool('hold');
    const backend: PostgresBackend = await createTestBackend({ pool: intercept.pool });
    cleanups.push(() => destroyTestBackend(backend));
    const payloads = await listenFeed(backend.schema);
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
    const worker = new DistributedWorker({ backend, workflows: [wf], idleWaitMs: 200 });
    cleanups.push(() => worker.close({ graceMs: 1_000 }));
    const runId = await orchestrator.start(wf, 21);
    await worker.start();
    // The commit is done (the run reads as completed) while its notices are held back: none has come.
    await waitFor(async () => (await backend.runs.get(runId))?.status === 'completed');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(names(payloads, runId)).toBe(false);
    expect(intercept.sends()).toBeGreaterThan(0);
    intercept.open();
    await waitFor(() => payloads.some((payload) => parseFinishedRecord(payload)?.runId === runId));
    const record = payloads.map(parseFinishedRecord).find((run) => run?.runId === runId);
    expect(record).toEqual(await backend.runs.get(runId));
    expect(record).toMatchObject({ status: 'completed', output: 42 });
  }, 60_000);

  it('a lost post-commit send costs latency only: wait resolves and the ordered feed has every event', async () => {
    const intercept = interceptingPool('drop');
    const backend: PostgresBackend = await createTestBackend({ pool: intercept.pool });
    cleanups.push(() => destroyTestBackend(backend));
    const payloads = await listenFeed(backend.schema);
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
    const worker = new DistributedWorker({ backend, workflows: [wf], idleWaitMs: 200 });
    cleanups.push(() => worker.close({ graceMs: 1_000 }));
    const head = await backend.feed.head();
    const runIds = await Promise.all([1, 2, 3].map((n) => orchestrator.start(wf, n)));
    const waits = runIds.map((runId) => orchestrator.wait(runId, { timeoutMs: 20_000 }));
    await worker.start();
    const infos = await Promise.all(waits);
    expect(infos.map((info) => [info.status, info.output])).toEqual([
      ['completed', 2],
      ['completed', 4],
      ['completed', 6],
    ]);
    expect(intercept.sends()).toBeGreaterThan(0);
    for (const runId of runIds) expect(names(payloads, runId)).toBe(false);
    // Every committed event once, in order per run, through the ordered feed alone.
    const events: FeedEvent[] = [];
    let position = head;
    await waitFor(async () => {
      const page = await backend.feed.read(position, { waitMs: 200 });
      events.push(...page.events);
      position = page.position;
      return runIds.every((runId) =>
        events.some((e) => e.runId === runId && e.type === 'run.status' && e.status === 'completed'),
      );
    });
    for (const runId of runIds) {
      const seqs = events.filter((e) => e.runId === runId).map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(seqs).toEqual((await backend.events.read(runId, 0)).map((e) => e.seq));
    }
  }, 60_000);

  it('other writers still notify from their own transaction: a cancel sends its record at once', async () => {
    const intercept = interceptingPool('drop');
    const backend: PostgresBackend = await createTestBackend({ pool: intercept.pool });
    cleanups.push(() => destroyTestBackend(backend));
    const payloads = await listenFeed(backend.schema);
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
    const runId = await orchestrator.start(wf, 1);
    await orchestrator.cancel(runId);
    await waitFor(() => payloads.some((payload) => parseFinishedRecord(payload)?.runId === runId));
    expect(intercept.sends()).toBe(0);
  }, 60_000);

  it('a claim notifies nothing from its own transaction: its notices leave after its COMMIT', async () => {
    const intercept = interceptingPool('hold', isClaim);
    const backend: PostgresBackend = await createTestBackend({ pool: intercept.pool });
    cleanups.push(() => destroyTestBackend(backend));
    const payloads = await listenFeed(backend.schema);
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
    const runId = await orchestrator.start(wf, 4);
    // The start notifies from its own transaction; count from after its notice.
    await waitFor(() => payloads.length > 0);
    const afterStart = payloads.length;
    const worker = new DistributedWorker({ backend, workflows: [wf], idleWaitMs: 200 });
    cleanups.push(() => worker.close({ graceMs: 1_000 }));
    // start() may wait for its first lease, which the held send holds back.
    const started = worker.start();
    // The claim committed (its step.started event is stored) while its notices are held back: none came.
    await waitFor(async () =>
      (await backend.events.read(runId, 0)).some((event) => event.type === 'step.started'),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(intercept.sends()).toBeGreaterThan(0);
    expect(payloads.length).toBe(afterStart);
    intercept.open();
    await started;
    await waitFor(() => payloads.length > afterStart);
    const info = await orchestrator.wait(runId, { timeoutMs: 20_000 });
    expect([info.status, info.output]).toEqual(['completed', 8]);
  }, 60_000);
});
