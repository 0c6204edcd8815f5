// BullMQ's connections are derived from the caller's client (duplicate()), never rebuilt from host and port:
// a client whose only route to its server is Sentinel must keep every key (BullMQ's too) on that server.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisBackend } from './redis-backend.js';
import { RedisServerProcess } from './test-support/redis-server-process.js';
import { RedisSentinelProcess } from './test-support/redis-sentinel-process.js';
import { REDIS_URL, testPrefix } from './test-support/redis-test-backend.js';

const item = {
  itemId: 's:start',
  runId: 's',
  workflow: 'wf',
  version: 1,
  node: 'a',
  input: 1,
  attempt: 1,
  branches: [],
};

async function keysOf(url: string, prefix: string, remove = false): Promise<string[]> {
  const probe = new Redis(url);
  try {
    const keys = await probe.keys(`${prefix}*`);
    if (remove && keys.length > 0) await probe.del(...keys);
    return keys;
  } finally {
    probe.disconnect();
  }
}

describe('RedisBackend on a Sentinel-configured client', () => {
  let server: RedisServerProcess;
  let sentinel: RedisSentinelProcess;

  beforeAll(async () => {
    server = await RedisServerProcess.start();
    sentinel = await RedisSentinelProcess.start(server.port);
  });

  afterAll(async () => {
    await sentinel?.stop();
    await server?.stop();
  });

  it('runs start → lease → commit on the sentinel’s master only; nothing reaches 127.0.0.1:6379', async () => {
    // The client's own host and port are ioredis's defaults (localhost:6379): only `sentinels` and `name`
    // lead to the private server, so a connection rebuilt from host and port would reach the shared one.
    const client = new Redis({
      sentinels: [{ host: '127.0.0.1', port: sentinel.port }],
      name: sentinel.name,
    });
    const prefix = testPrefix('sentinel');
    const backend = new RedisBackend({ connection: client, prefix, stalledIntervalMs: 100 });
    try {
      await backend.startRun({
        runId: 's',
        workflow: 'wf',
        version: 1,
        input: 1,
        context: {},
        startItem: item,
        createdAt: 1,
      });
      const [lease] = await backend.queue.lease({ workerId: 'w', leaseMs: 5_000, waitMs: 3_000 });
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
      const onPrivate = await keysOf(server.url, prefix);
      // BullMQ's keys (its queue's meta hash and event stream) are on the sentinel's master with the run's.
      expect(onPrivate.some((k) => k.includes(backend.queueName))).toBe(true);
      expect(onPrivate.some((k) => k.endsWith(':run'))).toBe(true);
      expect(await keysOf(REDIS_URL, prefix)).toEqual([]);
    } finally {
      await backend.close();
      client.disconnect();
      // A regression must not leave keys on the shared server.
      await keysOf(REDIS_URL, prefix, true);
    }
  });
});
