// `durability`: a state change the required replicas do not confirm is not acknowledged (retryable error).
import { BackendError, ValidationError } from '@floxide/core';
import type { NewRun } from '@floxide/distributed';
import { afterEach, describe, expect, it } from 'vitest';
import type { RedisBackend } from './redis-backend.js';
import { createTestBackend, destroyTestBackend } from './test-support/redis-test-backend.js';

function newRun(runId: string): NewRun {
  const startItem = {
    itemId: `${runId}:start`,
    runId,
    workflow: 'wf',
    version: 1,
    node: 'a',
    input: 1,
    attempt: 1,
    branches: [],
  };
  return { runId, workflow: 'wf', version: 1, input: 1, context: {}, startItem, createdAt: 1 };
}

describe('RedisBackend durability', () => {
  let backend: RedisBackend | undefined;
  afterEach(async () => {
    if (backend) await destroyTestBackend(backend);
    backend = undefined;
  });

  it('refuses to acknowledge a start no replica confirmed (the test server has none); the retry is a duplicate', async () => {
    backend = createTestBackend('durable', { durability: { replicas: 1, timeoutMs: 50 } });
    const error = await backend.startRun(newRun('d1')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(error).toMatchObject({ retryable: true });
    expect((error as Error).message).toMatch(/confirmed by 0 of 1 replica/);
    // Applied on the primary all the same: a retry finds the run (created: false) and waits again.
    await expect(backend.startRun(newRun('d1'))).rejects.toThrow(/confirmed by 0 of 1 replica/);
    expect(await backend.runs.get('d1')).toMatchObject({ status: 'queued' });
  });

  it('replicas: 0 waits for nothing; a malformed setting is a ValidationError', async () => {
    backend = createTestBackend('durable0', { durability: { replicas: 0, timeoutMs: 50 } });
    expect((await backend.startRun(newRun('d0'))).created).toBe(true);
    expect(() => createTestBackend('bad', { durability: { replicas: 1.5, timeoutMs: 50 } })).toThrow(
      ValidationError,
    );
    expect(() => createTestBackend('bad', { durability: { replicas: 1, timeoutMs: 0 } })).toThrow(
      ValidationError,
    );
  });
});
