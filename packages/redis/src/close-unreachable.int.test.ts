// close() of a backend whose server died while a lease call was blocked in BullMQ's fetch: BullMQ's
// connections never give up a command (`maxRetriesPerRequest: null`), so `QUIT` waited behind the fetch until
// the server came back, and close() with it (for ever, for a server gone for good).
import { afterEach, expect, it } from 'vitest';
import { RedisBackend } from './redis-backend.js';
import { RedisServerProcess } from './test-support/redis-server-process.js';

const sleep = (ms: number) => new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms));

let server: RedisServerProcess | undefined;

afterEach(async () => {
  await server?.stop();
});

it(
  'close() ends while the server stays down after dying under a blocking fetch',
  { timeout: 30_000 },
  async () => {
    server = await RedisServerProcess.start();
    const backend = new RedisBackend({
      connection: server.url,
      prefix: 'blocking-fetch',
      stalledIntervalMs: 100,
    });
    // An empty lane: the lease call blocks in BullMQ's fetch for its whole wait.
    const leasing = backend.queue
      .lease({ workerId: 'w', leaseMs: 5_000, waitMs: 2_000, workflows: [{ name: 'wf', version: 1 }] })
      .catch(() => []);
    await sleep(500);
    await server.kill();
    // The server stays down: the lease call ends (it fails or finds nothing) and close() does not wait for it.
    expect(await Promise.race([leasing.then(() => 'ended'), sleep(10_000)])).toBe('ended');
    expect(await Promise.race([backend.close().then(() => 'closed'), sleep(10_000)])).toBe('closed');
  },
);
