// A value JSON cannot carry (BigInt, a circular object) once escaped the backend as a raw TypeError, which
// the worker treats as a backend hiccup and hands the item back every second, forever. The backend now
// answers with a typed, non-retryable BackendError and stores nothing.
import { isFloxideError } from '@floxide/core';
import type { WorkItem } from '@floxide/core/engine';
import type { Lease } from '@floxide/distributed';
import { afterEach, describe, expect, it } from 'vitest';
import type { RedisBackend } from './redis-backend.js';
import { createTestBackend, destroyTestBackend } from './test-support/redis-test-backend.js';

const startItem = (runId: string, input: unknown = 1): WorkItem => ({
  itemId: `${runId}:start`,
  runId,
  workflow: 'wf',
  version: 1,
  node: 'start',
  input,
  attempt: 1,
  branches: [],
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('values the backend cannot encode', () => {
  const opened: RedisBackend[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((b) => destroyTestBackend(b)));
  });

  it('a commit whose output cannot be encoded fails typed and non-retryable, and changes nothing', async () => {
    const backend = createTestBackend('encode-commit');
    opened.push(backend);
    await backend.startRun({
      runId: 'r',
      workflow: 'wf',
      version: 1,
      input: 1,
      context: {},
      startItem: startItem('r'),
      createdAt: 1,
    });
    const [lease] = await backend.queue.lease({ workerId: 'w', leaseMs: 30_000, waitMs: 2_000 });
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    for (const value of [10n, circular]) {
      const error = await rejection(
        backend.commit({
          lease: lease as Lease,
          outcome: {
            kind: 'advance',
            successors: [],
            joins: [],
            output: { value },
            transition: 'next',
            contextOps: [],
            durationMs: 1,
          },
          at: Date.now(),
        }),
      );
      expect(isFloxideError(error, 'BACKEND')).toBe(true);
      expect((error as { retryable: boolean }).retryable).toBe(false);
      expect((error as Error).message).toMatch(/cannot be encoded as JSON/);
    }
    expect((await backend.runs.get('r'))?.status).toBe('running');
    expect((await backend.items.get('r', 'r:start'))?.status).toBe('running');
  });

  it('a run whose input cannot be encoded is not started', async () => {
    const backend = createTestBackend('encode-start');
    opened.push(backend);
    const error = await rejection(
      backend.startRun({
        runId: 'r',
        workflow: 'wf',
        version: 1,
        input: 5n,
        context: {},
        startItem: startItem('r', 5n),
        createdAt: 1,
      }),
    );
    expect(isFloxideError(error, 'BACKEND')).toBe(true);
    expect((error as { retryable: boolean }).retryable).toBe(false);
    expect(await backend.runs.get('r')).toBeUndefined();
  });
});
