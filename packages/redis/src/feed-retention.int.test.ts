// The change feed under retention: the sweep trims its streams by age (server clock), a reader whose
// position was trimmed is told of the gap once, and a `wait` whose final event was trimmed before the
// shared reader got it still resolves from the run's state.
import { testRun } from '@floxide/conformance';
import { node, workflow } from '@floxide/core';
import {
  DistributedOrchestrator,
  Retention,
  type FeedPage,
  type RetentionOption,
} from '@floxide/distributed';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { RedisBackend } from './redis-backend.js';
import { SHARDS } from './keys.js';
import { FEED_RETENTION_FLOOR_MS, feedRetentionMs } from './redis-retention.js';
import { createTestBackend, destroyTestBackend, REDIS_URL } from './test-support/redis-test-backend.js';

const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const SHORT: RetentionOption = { completedMs: 400 };

/** The run ids of every entry in the prefix's feed streams, read straight from the server. */
async function feedRunIds(backend: RedisBackend): Promise<string[]> {
  const ids: string[] = [];
  for (const k of SHARDS) {
    const entries = (await client.xrange(backend.keys.feed(k), '-', '+')) as [string, string[]][];
    for (const [, fields] of entries) {
      const json = fields[fields.indexOf('e') + 1] ?? '{}';
      ids.push((JSON.parse(json) as { runId: string }).runId);
    }
  }
  return ids.sort();
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('change feed retention on Redis', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(() => client.quit());
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  function backendWith(retention: RetentionOption, feedMs = 400): RedisBackend {
    const backend = createTestBackend('feed-retention', {
      retention,
      feedRetentionMs: feedMs,
      sweepIntervalMs: 0,
    });
    cleanup.push(() => destroyTestBackend(backend));
    return backend;
  }

  it('keeps feed entries for the shortest retention time, at least 30 s, unless told otherwise', () => {
    const policy = Retention.of({ completedMs: 1_000 }) as Retention;
    expect(feedRetentionMs(policy, undefined)).toBe(FEED_RETENTION_FLOOR_MS);
    expect(feedRetentionMs(Retention.of(undefined) as Retention, undefined)).toBe(7 * 24 * 3_600_000);
    expect(feedRetentionMs(policy, 0)).toBe(0);
    expect(feedRetentionMs(policy, Infinity)).toBe(Infinity);
    expect(() => feedRetentionMs(policy, -1)).toThrow(/feedRetentionMs/);
  });

  it('a sweep drops feed entries older than the feed retention time and keeps younger ones', async () => {
    // Generous times: 'young' must stay younger than the retention time under a loaded CI machine.
    const backend = backendWith({ completedMs: 0 }, 3_000);
    await backend.startRun(testRun('old-1'));
    await backend.startRun(testRun('old-2'));
    await sleep(3_300);
    await backend.startRun(testRun('young'));
    expect(await feedRunIds(backend)).toEqual(['old-1', 'old-2', 'young']);
    await backend.deleteExpiredRuns();
    expect(await feedRunIds(backend)).toEqual(['young']);
    // Running runs are not retention's to delete: only their feed entries went.
    expect((await backend.runs.get('old-1'))?.status).toBe('queued');
  });

  it('leaves the feed to its length cap with retention: false, or feedRetentionMs: Infinity', async () => {
    const off = backendWith(false, 0);
    const forever = backendWith(SHORT, Infinity);
    for (const backend of [off, forever]) await backend.startRun(testRun('kept'));
    await sleep(700);
    for (const backend of [off, forever]) {
      await backend.deleteExpiredRuns();
      expect(await feedRunIds(backend)).toEqual(['kept']);
    }
  });

  it('a reader whose position was trimmed is told of the gap once and continues after it', async () => {
    const backend = backendWith(SHORT);
    const start = await backend.feed.head();
    await backend.startRun(testRun('lost'));
    await sleep(700);
    await backend.deleteExpiredRuns();
    await backend.startRun(testRun('after'));
    const page: FeedPage = await backend.feed.read(start);
    expect(page.gap).toBe(true);
    expect(page.events.map((e) => e.runId)).toEqual(['after']);
    const next = await backend.feed.read(page.position);
    expect(next.gap).toBeUndefined();
    expect(next.events).toEqual([]);
    // From '' (the oldest retained entries) there is no gap to report.
    expect((await backend.feed.read('')).gap).toBeUndefined();
  });

  it('reports no gap when only entries the reader already had were trimmed (an idle feed)', async () => {
    const backend = backendWith(SHORT);
    await backend.startRun(testRun('seen'));
    const seen = await backend.feed.read('');
    expect(seen.events.map((e) => e.runId)).toEqual(['seen']);
    await sleep(700);
    await backend.deleteExpiredRuns();
    expect(await feedRunIds(backend)).toEqual([]);
    const idle = await backend.feed.read(seen.position);
    expect(idle.gap).toBeUndefined();
    await backend.startRun(testRun('next'));
    const next = await backend.feed.read(seen.position);
    expect(next.gap).toBeUndefined();
    expect(next.events.map((e) => e.runId)).toEqual(['next']);
    // A reader starting now on the emptied streams is not told of entries trimmed before it began.
    const head = await backend.feed.head();
    await backend.startRun(testRun('later'));
    const fresh = await backend.feed.read(head);
    expect(fresh.gap).toBeUndefined();
    expect(fresh.events.map((e) => e.runId)).toEqual(['later']);
  });

  it('a wait whose final event was trimmed before the shared reader got it resolves from the run', async () => {
    const backend = backendWith(false);
    const wf = workflow({ name: 'slow' })
      .start(node({ name: 'only', process: (n: number) => n }))
      .build();
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
    const runId = await orchestrator.start(wf, 1);
    // The shared reader stalls (a process under load), while the run finishes and its events are trimmed
    // (by retention or the length cap: both remove the oldest entries).
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const read = backend.feed.read.bind(backend.feed);
    let stalled = 0;
    backend.feed.read = async (after, options) => {
      stalled += 1;
      await gate;
      return read(after, options);
    };
    const waited = orchestrator.wait(runId, { timeoutMs: 20_000 });
    await expect.poll(() => stalled, { timeout: 10_000 }).toBeGreaterThan(0);
    await orchestrator.cancel(runId);
    const [sec] = await client.time();
    for (const k of SHARDS) await client.xtrim(backend.keys.feed(k), 'MINID', `${Number(sec) + 1}000`);
    expect(await feedRunIds(backend)).toEqual([]);
    release();
    const run = await waited;
    expect(run.status).toBe('cancelled');
  });
});
