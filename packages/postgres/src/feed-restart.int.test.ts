// The change feed across a restart of a throw-away PostgreSQL cluster: a reader resuming from its position
// misses nothing (the events table is the source of truth), and a wait pending while the server was down
// still resolves (its LISTEN connection comes back; the long poll's timeout covers lost notifications).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { node, workflow } from '@floxide/core';
import { testRun } from '@floxide/conformance';
import { DistributedOrchestrator, DistributedWorker, type FeedEvent } from '@floxide/distributed';
import { PostgresBackend } from './postgres-backend.js';
import { TempCluster } from './test-support/temp-cluster.js';

/** Reads every event after `after`, retrying while the server comes back. */
async function readAll(
  backend: PostgresBackend,
  after: string,
): Promise<{ events: FeedEvent[]; position: string }> {
  const end = Date.now() + 20_000;
  for (;;) {
    try {
      const events: FeedEvent[] = [];
      let position = after;
      for (;;) {
        const page = await backend.feed.read(position, { limit: 100 });
        events.push(...page.events);
        position = page.position;
        if (page.events.length < 100) return { events, position };
      }
    } catch (error) {
      if (Date.now() > end) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe('change feed across a PostgreSQL restart (own throw-away cluster)', () => {
  let cluster: TempCluster;

  beforeAll(() => {
    cluster = new TempCluster(55_000 + Math.floor(Math.random() * 1_000));
    cluster.start();
  }, 60_000);

  afterAll(() => {
    cluster.destroy();
  });

  it('a reader resuming from its position after the restart misses nothing and repeats nothing', async () => {
    const backend = new PostgresBackend({ connectionString: cluster.url, schema: 'feed_a', poolSize: 2 });
    try {
      const head = await backend.feed.head();
      for (const id of ['before-1', 'before-2']) await backend.startRun(testRun(id));
      const first = await readAll(backend, head);
      expect(first.events.map((e) => e.runId)).toEqual(['before-1', 'before-2']);
      cluster.stop();
      cluster.start();
      await readAll(backend, first.position); // waits for the pool to reconnect
      for (const id of ['after-1', 'after-2']) await backend.startRun(testRun(id));
      const rest = await readAll(backend, first.position);
      expect(rest.events.map((e) => [e.runId, e.seq])).toEqual([
        ['after-1', 1],
        ['after-2', 1],
      ]);
      expect((await readAll(backend, '')).events.map((e) => e.runId)).toEqual([
        'before-1',
        'before-2',
        'after-1',
        'after-2',
      ]);
    } finally {
      await backend.close();
    }
  }, 60_000);

  it('a wait pending while the server restarts resolves when the run finishes afterwards', async () => {
    const double = node({ name: 'double', process: (n: number) => n * 2 });
    const wf = workflow({ name: 'feed-restart', version: 1 }).start(double).build();
    const backend = new PostgresBackend({ connectionString: cluster.url, schema: 'feed_b', poolSize: 2 });
    const workerBackend = new PostgresBackend({
      connectionString: cluster.url,
      schema: 'feed_b',
      poolSize: 2,
    });
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
    let worker: DistributedWorker | undefined;
    try {
      const runId = await orchestrator.start(wf, 21);
      const waiting = orchestrator.wait(runId, { timeoutMs: 40_000 });
      await new Promise((resolve) => setTimeout(resolve, 500));
      cluster.stop();
      cluster.start();
      worker = new DistributedWorker({ backend: workerBackend, workflows: [wf], idleWaitMs: 200 });
      await worker.start();
      expect(await waiting).toMatchObject({ runId, status: 'completed', output: 42 });
    } finally {
      await worker?.close({ graceMs: 1_000 });
      await backend.close();
      await workerBackend.close();
    }
  }, 60_000);
});
