// The change feed across a restart of a private redis-server (AOF, fsync always): a reader resuming from
// its position misses nothing, and a wait pending while the server was down still resolves.
import { node, workflow } from '@floxide/core';
import { DistributedOrchestrator, DistributedWorker, type FeedEvent } from '@floxide/distributed';
import { testRun } from '@floxide/conformance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisBackend } from './redis-backend.js';
import { RedisServerProcess } from './test-support/redis-server-process.js';

/** Reads every event after `after`, retrying while the server comes back. */
async function readAll(
  backend: RedisBackend,
  after: string,
): Promise<{ events: FeedEvent[]; position: string }> {
  const end = Date.now() + 10_000;
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
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('change feed across a Redis restart', () => {
  let server: RedisServerProcess;

  beforeAll(async () => {
    server = await RedisServerProcess.start();
  });

  afterAll(async () => {
    await server.stop();
  });

  it('a reader resuming from its position after the restart misses nothing and repeats nothing', async () => {
    const backend = new RedisBackend({ connection: server.url, prefix: 'feed-restart-a' });
    try {
      const head = await backend.feed.head();
      for (const id of ['before-1', 'before-2']) await backend.startRun(testRun(id));
      const first = await readAll(backend, head);
      expect(first.events.map((e) => e.runId)).toEqual(['before-1', 'before-2']);
      await server.kill();
      await server.restart();
      for (const id of ['after-1', 'after-2']) {
        await readAll(backend, first.position); // waits for the reconnect
        await backend.startRun(testRun(id));
      }
      const rest = await readAll(backend, first.position);
      expect(rest.events.map((e) => [e.runId, e.seq])).toEqual([
        ['after-1', 1],
        ['after-2', 1],
      ]);
      // The whole feed, read again from the start, holds every event once.
      expect((await readAll(backend, '')).events.map((e) => e.runId)).toEqual([
        'before-1',
        'before-2',
        'after-1',
        'after-2',
      ]);
    } finally {
      await backend.destroyAllData().catch(() => undefined);
      await backend.close();
    }
  });

  it('a wait pending while the server restarts resolves when the run finishes afterwards', async () => {
    const double = node({ name: 'double', process: (n: number) => n * 2 });
    const wf = workflow({ name: 'feed-restart', version: 1 }).start(double).build();
    const backend = new RedisBackend({ connection: server.url, prefix: 'feed-restart-b' });
    const workerBackend = new RedisBackend({ connection: server.url, prefix: 'feed-restart-b' });
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
    let worker: DistributedWorker | undefined;
    try {
      const runId = await orchestrator.start(wf, 21);
      const waiting = orchestrator.wait(runId, { timeoutMs: 30_000 });
      await new Promise((r) => setTimeout(r, 300));
      await server.kill();
      await new Promise((r) => setTimeout(r, 300));
      await server.restart();
      worker = new DistributedWorker({ backend: workerBackend, workflows: [wf], idleWaitMs: 200 });
      await worker.start();
      expect(await waiting).toMatchObject({ runId, status: 'completed', output: 42 });
    } finally {
      await worker?.close({ graceMs: 1_000 });
      await backend.destroyAllData().catch(() => undefined);
      await backend.close();
      await workerBackend.close();
    }
  });
});
