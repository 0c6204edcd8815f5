// Connection loss against a private redis-server that is killed and restarted: typed, secret-free errors,
// workers that back off and reconnect, and no half-committed step.
import { isFloxideError, node, workflow } from '@floxide/core';
import { DistributedOrchestrator, DistributedWorker } from '@floxide/distributed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisBackend } from './redis-backend.js';
import { freePort, RedisServerProcess } from './test-support/redis-server-process.js';

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('connection loss', () => {
  let server: RedisServerProcess;

  beforeAll(async () => {
    server = await RedisServerProcess.start();
  });

  afterAll(async () => {
    await server.stop();
  });

  it('fails with a retryable BackendError while the server is down, then recovers', async () => {
    const backend = new RedisBackend({ connection: server.url, prefix: 'loss-a' });
    try {
      expect(await backend.runs.get('nope')).toBeUndefined();
      await server.kill();
      const error: unknown = await backend.runs.get('nope').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isFloxideError(error, 'BACKEND')).toBe(true);
      expect((error as { retryable: boolean }).retryable).toBe(true);
      expect((error as Error).message).not.toContain(String(server.port));
      await server.restart();
      await until(async () => (await backend.runs.get('nope')) === undefined, 10_000);
    } finally {
      await backend.close();
    }
  });

  it('never puts a password or URL into an error message', async () => {
    const port = await freePort();
    const secret = 'Sup3r-S3cret-Passw0rd';
    const backend = new RedisBackend({
      connection: `redis://admin:${secret}@127.0.0.1:${port}/0`,
      prefix: 'loss-b',
    });
    try {
      const error: unknown = await backend.runs.list().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isFloxideError(error, 'BACKEND')).toBe(true);
      const text = `${String(error)} ${(error as Error).stack ?? ''} ${JSON.stringify(error)}`;
      expect(text).not.toContain(secret);
      expect(text).not.toContain('redis://');
      expect((error as Error).cause).toBeUndefined();
    } finally {
      await backend.close();
    }
  });

  it(
    'workers back off and reconnect; every step of the run commits exactly once',
    { timeout: 60_000 },
    async () => {
      const step = (name: string) =>
        node({
          name,
          async process(n: number, ctx) {
            await ctx.sleep(150);
            return n + 1;
          },
        });
      const a = step('a');
      const b = step('b');
      const c = step('c');
      const d = step('d');
      const wf = workflow({ name: 'loss', version: 1 }).start(a).edge(a, b).edge(b, c).edge(c, d).build();
      const backend = new RedisBackend({ connection: server.url, prefix: 'loss-c', stalledIntervalMs: 200 });
      const worker = new DistributedWorker({
        backend,
        workflows: [wf],
        leaseMs: 1_000,
        heartbeatMs: 200,
        idleWaitMs: 200,
      });
      const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
      try {
        await worker.start();
        const runId = await orchestrator.start(wf, 0);
        await until(async () => ((await backend.metrics.get(runId))?.completed ?? 0) >= 1, 10_000);
        await server.kill();
        await new Promise((r) => setTimeout(r, 1_000));
        await server.restart();
        const info = await orchestrator.wait(runId, { signal: AbortSignal.timeout(30_000) });
        expect(info.status).toBe('completed');
        expect(info.output).toBe(4);
        const events = await backend.events.read(runId, 0);
        const committed = events.filter((e) => e.type === 'step.committed').map((e) => e.node);
        expect(committed).toEqual(['a', 'b', 'c', 'd']);
        expect(await backend.metrics.get(runId)).toMatchObject({ totalItems: 4, completed: 4, running: 0 });
        expect(await backend.queue.pending(runId)).toEqual([]);
      } finally {
        await worker.close({ graceMs: 0 });
        await backend.close();
      }
    },
  );
});
