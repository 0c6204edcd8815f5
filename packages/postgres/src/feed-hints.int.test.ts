// Finished-run hints (migration 0006_feed_latency): the ordered feed reads only below the oldest running
// transaction, so a long transaction elsewhere holds it back; `wait` must still resolve from the hint that
// the feed trigger's notification carries, and the ordered feed must still deliver the event afterwards.
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { node, workflow } from '@floxide/core';
import { waitFor } from '@floxide/conformance';
import { DistributedOrchestrator, DistributedWorker, type FeedEvent } from '@floxide/distributed';
import type { PostgresBackend } from './postgres-backend.js';
import { parseFinishedPayload } from './postgres-change-feed.js';
import {
  createTestBackend,
  destroyTestBackend,
  TEST_DATABASE_URL,
} from './test-support/postgres-test-init.js';

const double = node({ name: 'double', process: (n: number) => n * 2 });
const wf = workflow({ name: 'feed-hints', version: 1 }).start(double).build();

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A transaction with an id, left open: the feed's horizon cannot pass it until it ends. */
async function openTransaction(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  await client.query('begin');
  await client.query('select pg_current_xact_id()');
  cleanups.push(async () => {
    await client.query('rollback').catch(() => undefined);
    await client.end();
  });
  return client;
}

describe('postgres finished-run hints', () => {
  it('a wait resolves from the hint while an older open transaction holds the ordered feed back', async () => {
    const backend: PostgresBackend = await createTestBackend();
    cleanups.push(() => destroyTestBackend(backend));
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
    const worker = new DistributedWorker({ backend, workflows: [wf], idleWaitMs: 200 });
    cleanups.push(() => worker.close({ graceMs: 1_000 }));
    const head = await backend.feed.head();
    const blocker = await openTransaction();
    const runId = await orchestrator.start(wf, 21);
    const waiting = orchestrator.wait(runId, { timeoutMs: 20_000 });
    await worker.start();
    expect(await waiting).toMatchObject({ runId, status: 'completed', output: 42 });
    // The ordered feed has not delivered the run's events yet: the open transaction is older than them.
    expect((await backend.feed.read(head)).events.filter((e) => e.runId === runId)).toEqual([]);
    await blocker.query('rollback');
    // Once it ends, every event arrives in its place, the final status last.
    const events: FeedEvent[] = [];
    let position = head;
    await waitFor(async () => {
      const page = await backend.feed.read(position, { waitMs: 200 });
      events.push(...page.events);
      position = page.position;
      return events.some((e) => e.runId === runId && e.status === 'completed');
    });
    const seqs = events.filter((e) => e.runId === runId).map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  }, 60_000);

  it('the trigger names only runs whose final status the statement wrote', async () => {
    const backend: PostgresBackend = await createTestBackend();
    cleanups.push(() => destroyTestBackend(backend));
    const payloads: string[] = [];
    const listener = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await listener.connect();
    cleanups.push(() => listener.end());
    listener.on('notification', (message) => payloads.push(message.payload ?? ''));
    await listener.query(`listen "floxide_${backend.schema}_feed"`);
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
    const runId = await orchestrator.start(wf, 1);
    await orchestrator.cancel(runId);
    await waitFor(() => payloads.some((p) => parseFinishedPayload(p).length > 0));
    expect(payloads.flatMap(parseFinishedPayload)).toEqual([runId]);
  }, 60_000);
});

describe('parseFinishedPayload', () => {
  it('reads a JSON array of run ids; anything else names no run', () => {
    expect(parseFinishedPayload('["a","b:c"]')).toEqual(['a', 'b:c']);
    expect(parseFinishedPayload('')).toEqual([]);
    expect(parseFinishedPayload('[not json')).toEqual([]);
    expect(parseFinishedPayload('[1,"x"]')).toEqual(['x']);
    expect(parseFinishedPayload('{"a":1}')).toEqual([]);
  });
});
