// Retention on Redis: the conformance scenario, plus the keys of a run read straight from the server.
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { context, eventLog, node, Transition, workflow } from '@floxide/core';
import { z } from 'zod';
import { describeRetentionScenarios } from '@floxide/conformance';
import { DistributedOrchestrator, DistributedWorker } from '@floxide/distributed';
import type { RedisBackend } from './redis-backend.js';
import { createTestBackend, destroyTestBackend, REDIS_URL } from './test-support/redis-test-backend.js';

describeRetentionScenarios({
  name: 'redis',
  create: () => Promise.resolve(createTestBackend('retention')),
  destroy: destroyTestBackend,
  createWithRetention: (retention) =>
    Promise.resolve(createTestBackend('retention', { retention, sweepIntervalMs: 100 })),
});

/** Every key of the prefix, and the members naming `runId` in the prefix's index sets. */
async function keysOf(client: Redis, prefix: string, runId: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1_000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  const out: string[] = [];
  for (const key of found.sort()) {
    if (key.includes(`{${runId}}`)) out.push(key);
    const type = await client.type(key);
    if (type === 'zset') {
      const members = await client.zrange(key, '0', '-1');
      if (members.some((m) => m === runId || m.endsWith(`:${runId}`))) out.push(`${key} ∋ ${runId}`);
    } else if (type === 'set' && (await client.sismember(key, runId)) === 1) {
      out.push(`${key} ∋ ${runId}`);
    }
  }
  return out;
}

describe('retention on Redis', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('deletes every key and index entry of a finished run (joins and logs included), none of a live one', async () => {
    const backend: RedisBackend = createTestBackend('retention-keys', {
      retention: { completedMs: 0 },
      sweepIntervalMs: 0,
    });
    const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    cleanup.push(
      () => destroyTestBackend(backend),
      () => client.quit(),
    );
    const fan = node({ name: 'fan', process: () => Transition.nextAll([1, 2, 3]) });
    const Seen = context({ seen: eventLog(z.number()) });
    const double = node({
      name: 'double',
      process: (n: number, ctx) => {
        (ctx.context as { seen: { append(v: number): void } }).seen.append(n);
        return n * 2;
      },
    });
    const sum = node({ name: 'sum', process: (values: number[]) => values.reduce((a, b) => a + b, 0) });
    const wf = workflow({ name: 'joined', context: Seen })
      .start(fan)
      .join(sum, { from: fan })
      .edge(fan, double)
      .edge(double, sum)
      .build();
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const held = workflow({ name: 'held' })
      .start(
        node({
          name: 'hold',
          process: async () => {
            await gate;
            return 1;
          },
        }),
      )
      .build();
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf, held] });
    const worker = new DistributedWorker({
      backend,
      workflows: [wf, held],
      concurrency: 4,
      heartbeatMs: 100,
    });
    cleanup.push(() => worker.close({ graceMs: 0 }));
    await worker.start();
    const live = await orchestrator.start(held, null, { runId: 'live' });
    const done = await orchestrator.start(wf, null, { runId: 'done' });
    expect(await orchestrator.wait(done, { timeoutMs: 20_000 })).toMatchObject({
      status: 'completed',
      output: 12,
    });
    const before = await keysOf(client, backend.prefix, done);
    expect(before.some((k) => k.includes(':joins:'))).toBe(true);
    expect(before.some((k) => k.includes(':ctxlog:seen'))).toBe(true);
    expect(before.some((k) => k.endsWith(':runs ∋ done'))).toBe(true);
    const liveBefore = await keysOf(client, backend.prefix, live);
    expect(await backend.deleteExpiredRuns()).toBe(1);
    expect(await keysOf(client, backend.prefix, done)).toEqual([]);
    expect(await keysOf(client, backend.prefix, live)).toEqual(liveBefore);
    open();
    expect((await orchestrator.wait(live, { timeoutMs: 20_000 })).status).toBe('completed');
  });
});
