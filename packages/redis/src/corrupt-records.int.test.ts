// Corrupt stored records fail their run, never hang it, never half-apply (issue 10 §2). Protocol, per kind:
// run R of `fan → nextAll([0, 1]) → work → join collect`; work(1) fails its first attempt and retries after
// 1 s. Once branch 0 committed and the retry is scheduled, pause R, corrupt one record, resume R. R must end
// `failed` with CORRUPT_RECORD within 15 s, 10 healthy runs on the same workers must complete, and a dump
// of R's keys must show nothing half-written.
import { node, RetryPolicy, Transition, workflow } from '@floxide/core';
import { DistributedOrchestrator, DistributedWorker } from '@floxide/distributed';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunKeyName } from './keys.js';
import type { RedisBackend } from './redis-backend.js';
import { CORRUPT_RECORD_KINDS, corruptRedisRecord } from './test-support/corrupt-record.js';
import { createTestBackend, destroyTestBackend, REDIS_URL } from './test-support/redis-test-backend.js';

function scenarioWorkflow() {
  const fan = node({ name: 'fan', process: () => Transition.nextAll([0, 1]) });
  const work = node({
    name: 'work',
    retry: RetryPolicy.fixed({ maxAttempts: 3, initialDelayMs: 1_000 }),
    process(x: number, ctx) {
      if (x === 1 && ctx.attempt === 1) throw new Error('first attempt of branch 1 fails');
      return x * 10;
    },
  });
  const collect = node({ name: 'collect', process: (values: number[]) => ({ values }) });
  return workflow({ name: 'corrupt-scenario', version: 1 })
    .start(fan)
    .join(collect, { from: fan })
    .edge(fan, work)
    .edge(work, collect)
    .build();
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** R's keys as stored, for the half-written checks. */
async function dump(client: Redis, backend: RedisBackend, runId: string) {
  const key = (name: string): string => backend.keys.run(runId, name as RunKeyName);
  const [run, done, live, parked, leased, errors] = await Promise.all([
    client.hgetall(key('run')),
    client.smembers(key('done')),
    client.hgetall(key('live')),
    client.smembers(key('parked')),
    client.hgetall(key('leased')),
    client.lrange(key('errors'), 0, -1),
  ]);
  return { run, done, live, parked, leased, errors };
}

describe('corrupt stored records (Redis)', () => {
  const opened: RedisBackend[] = [];
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await Promise.all(opened.splice(0).map((b) => destroyTestBackend(b)));
  });

  for (const kind of CORRUPT_RECORD_KINDS) {
    it(
      `a corrupt ${kind} record fails its run with CORRUPT_RECORD; nothing half-written; healthy runs complete`,
      { timeout: 60_000 },
      async () => {
        const backend = createTestBackend(`corrupt-${kind}`);
        opened.push(backend);
        const wf = scenarioWorkflow();
        const client = new Redis(REDIS_URL);
        const workers = [0, 1].map(
          (i) =>
            new DistributedWorker({ backend, workflows: [wf], concurrency: 4, id: `w${i}`, idleWaitMs: 100 }),
        );
        closers.push(async () => {
          await Promise.all(workers.map((w) => w.close()));
          await client.quit();
        });
        const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
        const runId = await orchestrator.start(wf, null, { runId: `R-${kind}` });
        for (const w of workers) await w.start();

        // Branch 0 committed (the join holds one arrival) and branch 1's retry is scheduled.
        await until('branch 0 committed and branch 1 waiting for its retry', async () => {
          const items = await backend.items.list(runId);
          const work = items.filter((i) => i.node === 'work');
          return work.some((i) => i.status === 'completed') && work.some((i) => i.status === 'waiting-retry');
        });
        await orchestrator.pause(runId);
        await corruptRedisRecord(backend, runId, kind);
        await orchestrator.resume(runId);
        const healthy = await Promise.all(Array.from({ length: 10 }, () => orchestrator.start(wf, null)));

        const started = Date.now();
        const info = await orchestrator.wait(runId, { timeoutMs: 15_000 });
        expect(info.status).toBe('failed');
        expect(info.error?.code).toBe('CORRUPT_RECORD');
        expect(Date.now() - started).toBeLessThan(15_000);
        for (const id of healthy) {
          expect(await orchestrator.wait(id, { timeoutMs: 20_000 })).toMatchObject({
            status: 'completed',
            output: { values: [0, 10] },
          });
        }

        // Nothing half-written: the failure is recorded, no committed attempt is still queued, nothing is
        // leased, and every queued item is either parked (kept for retryFailed) or still held by BullMQ.
        await until(
          'R to hold no lease',
          async () => (await client.hlen(backend.keys.run(runId, 'leased'))) === 0,
        );
        const d = await dump(client, backend, runId);
        expect(d.run['status']).toBe('failed');
        expect(d.errors.some((e) => e.includes('CORRUPT_RECORD'))).toBe(true);
        expect(Object.keys(d.leased)).toEqual([]);
        const committed = new Set(d.done);
        for (const [itemId, entry] of Object.entries(d.live)) {
          const [jobId, attempt] = entry.split('\n');
          if (jobId === undefined || attempt === undefined || !/^\d+$/.test(attempt)) continue; // the corrupt record itself
          expect(
            committed.has(`${itemId}#${attempt}`),
            `${itemId}#${attempt} both committed and queued`,
          ).toBe(false);
          const lane = backend.bullQueueName('corrupt-scenario', 1);
          const inBull = (await client.exists(`${backend.keys.bullPrefix(lane)}:${lane}:${jobId}`)) === 1;
          expect(inBull || d.parked.includes(itemId), `queued item ${itemId} lost`).toBe(true);
        }
        // Branch 1 (the step the corruption interrupted) was committed at most whole: a committed attempt
        // left its successor (the join arrival) behind, never only half of the commit.
        expect([...committed].filter((k) => k.includes('work')).length).toBeLessThanOrEqual(2);
      },
    );
  }
});
