import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFloxideError } from '@floxide/core';
import { testRun } from '@floxide/conformance';
import { PostgresBackend } from './postgres-backend.js';
import { TempCluster } from './test-support/temp-cluster.js';

/** Retries `fn` while it throws retryable BackendErrors (the server is coming back). */
async function retrying<T>(fn: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (!isFloxideError(error, 'BACKEND') || !error.retryable || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe('reconnect after a server restart (own throw-away cluster)', () => {
  let cluster: TempCluster;
  let backend: PostgresBackend;
  let producer: PostgresBackend;

  beforeAll(() => {
    cluster = new TempCluster(54_000 + Math.floor(Math.random() * 1_000));
    cluster.start();
    backend = new PostgresBackend({ connectionString: cluster.url, schema: 'floxide', poolSize: 2 });
    producer = new PostgresBackend({ connectionString: cluster.url, schema: 'floxide', poolSize: 2 });
  }, 60_000);

  afterAll(async () => {
    await backend.close();
    await producer.close();
    cluster.destroy();
  });

  it('fails with retryable errors while the server is down, then works again and LISTEN resumes', async () => {
    await backend.startRun(testRun('before'));
    expect(await backend.queue.lease({ workerId: 'w', leaseMs: 5_000, waitMs: 100 })).toHaveLength(1);

    cluster.stop();
    const down: unknown = await backend.runs.get('before').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isFloxideError(down, 'BACKEND')).toBe(true);
    expect(down).toMatchObject({ retryable: true });
    cluster.start();

    expect((await retrying(() => backend.runs.get('before')))?.status).toBe('running');
    // The listener reconnects by itself: a long poll is woken by another process's enqueue, well before
    // its wait ends (the fallback timer alone would need the whole wait).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const waiting = retrying(() => backend.queue.lease({ workerId: 'w', leaseMs: 5_000, waitMs: 15_000 }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const startedAt = Date.now();
    await retrying(() => producer.startRun(testRun('after')));
    const leases = await waiting;
    expect(leases.map((lease) => lease.item.runId)).toEqual(['after']);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  }, 60_000);
});
