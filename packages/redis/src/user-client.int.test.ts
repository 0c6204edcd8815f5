// A backend built on the caller's own ioredis client uses it and leaves it open on close.
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { RedisBackend } from './redis-backend.js';
import { REDIS_URL, testPrefix } from './test-support/redis-test-backend.js';

describe('RedisBackend on a caller-owned ioredis client', () => {
  it('runs a start → lease → commit cycle and does not close the client', async () => {
    const client = new Redis(REDIS_URL);
    const backend = new RedisBackend({ connection: client, prefix: testPrefix('client') });
    try {
      const item = {
        itemId: 'c:start',
        runId: 'c',
        workflow: 'wf',
        version: 1,
        node: 'a',
        input: 1,
        attempt: 1,
        branches: [],
      };
      await backend.startRun({
        runId: 'c',
        workflow: 'wf',
        version: 1,
        input: 1,
        context: {},
        startItem: item,
        createdAt: 1,
      });
      const [lease] = await backend.queue.lease({ workerId: 'w', leaseMs: 5_000, waitMs: 2_000 });
      expect(lease?.item).toEqual(item);
      if (!lease) return;
      const result = await backend.commit({
        lease,
        at: 2,
        outcome: {
          kind: 'advance',
          transition: 'next',
          successors: [],
          joins: [],
          output: { value: 'done' },
          contextOps: [],
          durationMs: 1,
        },
      });
      expect(result).toEqual({ status: 'committed', runStatus: 'completed' });
      expect(await backend.runs.get('c')).toMatchObject({ status: 'completed', output: 'done' });
    } finally {
      await backend.destroyAllData();
      await backend.close();
    }
    expect(client.status).toBe('ready');
    expect(await client.ping()).toBe('PONG');
    await client.quit();
  });
});

describe('RedisBackend connection options', () => {
  it('accepts DESIGN.md spelling `{ url }` and owns that client', async () => {
    const backend = new RedisBackend({ url: REDIS_URL, prefix: testPrefix('url') });
    try {
      const item = {
        itemId: 'u:start',
        runId: 'u',
        workflow: 'wf',
        version: 1,
        node: 'a',
        input: 1,
        attempt: 1,
        branches: [],
      };
      const started = await backend.startRun({
        runId: 'u',
        workflow: 'wf',
        version: 1,
        input: 1,
        context: {},
        startItem: item,
        createdAt: 1,
      });
      expect(started.created).toBe(true);
      expect(await backend.runs.get('u')).toMatchObject({ runId: 'u', status: 'queued' });
    } finally {
      await backend.destroyAllData();
      await backend.close();
    }
  });
});
