// The run list indexes on Redis: a one-time rebuild files runs stored before the indexes existed.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { NewRun } from '@floxide/distributed';
import { shardOf, SHARDS } from './keys.js';
import type { RedisBackend } from './redis-backend.js';
import { createTestBackend, destroyTestBackend, REDIS_URL } from './test-support/redis-test-backend.js';

function newRun(runId: string, workflow: string, createdAt: number): NewRun {
  return {
    runId,
    workflow,
    version: 1,
    input: null,
    context: {},
    createdAt,
    startItem: {
      itemId: `${runId}:start`,
      runId,
      workflow,
      version: 1,
      node: 'start',
      input: null,
      attempt: 1,
      branches: [],
    },
  };
}

describe('Redis run list indexes', () => {
  let backend: RedisBackend | undefined;
  const raw = new Redis(REDIS_URL);

  afterEach(async () => {
    if (backend) await destroyTestBackend(backend);
    backend = undefined;
  });

  it('rebuildRunIndexes files runs that only the all-runs index knows, under their stored status', async () => {
    const b = createTestBackend('reindex');
    backend = b;
    await b.startRun(newRun('old-1', 'alpha', 1_000));
    await b.startRun(newRun('old-2', 'beta', 2_000));
    await b.startRun(newRun('old-3', 'alpha', 3_000));
    await b.control('old-2', 'pause');
    // A store written before the indexes existed: only the shards' `runs` keys list its runs.
    const stale = await raw.keys(`${b.prefix}:{*}:runs:*`);
    expect(stale.length).toBeGreaterThan(0);
    await raw.del(...stale);
    // The paused run also sits in a wrong status list, as a store migrated mid-change could.
    await raw.zadd(
      b.keys.runsByStatus('queued', shardOf('old-2')),
      0,
      `${String(2_000).padStart(16, '0')}:old-2`,
    );
    expect((await b.runs.list({ workflow: 'alpha' })).runs).toEqual([]);
    expect((await b.runs.list({ runIdPrefix: 'old' })).runs).toEqual([]);

    expect(await b.rebuildRunIndexes()).toBe(3);

    const ids = async (query: Parameters<typeof b.runs.list>[0]): Promise<string[]> =>
      (await b.runs.list(query)).runs.map((run) => run.runId);
    expect(await ids({ workflow: 'alpha' })).toEqual(['old-3', 'old-1']);
    expect(await ids({ status: 'queued' })).toEqual(['old-3', 'old-1']);
    expect(await ids({ status: 'paused', workflow: 'beta' })).toEqual(['old-2']);
    expect(await ids({ runIdPrefix: 'old' })).toEqual(['old-1', 'old-2', 'old-3']);
    const queued = await Promise.all(SHARDS.map((k) => raw.zcard(b.keys.runsByStatus('queued', k))));
    expect(queued.reduce((n, c) => n + c, 0)).toBe(2);
    // Idempotent: a second rebuild changes nothing.
    expect(await b.rebuildRunIndexes()).toBe(3);
    expect(await ids({ status: 'queued' })).toEqual(['old-3', 'old-1']);
  });

  it('keeps no index entry of a status a run left', async () => {
    const b = createTestBackend('index-moves');
    backend = b;
    await b.startRun(newRun('mv-1', 'alpha', 1_000));
    await b.control('mv-1', 'pause');
    await b.control('mv-1', 'resume');
    await b.control('mv-1', 'cancel');
    const member = `${String(1_000).padStart(16, '0')}:mv-1`;
    const k = shardOf('mv-1');
    for (const status of ['queued', 'running', 'paused']) {
      expect(await raw.zscore(b.keys.runsByStatus(status, k), member)).toBeNull();
      expect(await raw.zscore(b.keys.runsByWorkflowStatus('alpha', status, k), member)).toBeNull();
    }
    expect(await raw.zscore(b.keys.runsByStatus('cancelled', k), member)).toBe('0');
    expect(await raw.zscore(b.keys.runsByWorkflowStatus('alpha', 'cancelled', k), member)).toBe('0');
  });

  afterAll(async () => {
    await raw.quit();
  });
});
