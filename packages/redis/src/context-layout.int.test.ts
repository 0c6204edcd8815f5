import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { advance, leaseBranches, stepCommit, testRun } from '@floxide/conformance';
import type { RedisBackend } from './redis-backend.js';
import { createTestBackend, destroyTestBackend, REDIS_URL } from './test-support/redis-test-backend.js';

const LAYOUT = { hits: 'counter', seen: 'eventLog', status: 'register' } as const;

describe('Redis context layout', () => {
  let backend: RedisBackend | undefined;
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });

  afterEach(async () => {
    if (backend) await destroyTestBackend(backend);
    backend = undefined;
  });

  afterAll(async () => {
    await client.quit();
  });

  it('splits a context stored as one document (older releases) on the first read, keeping its version', async () => {
    backend = createTestBackend('ctx-layout');
    const [lease] = await leaseBranches(backend, 'old', 1, { context: { hits: 0, seen: [], status: null } });
    if (!lease) throw new Error('no lease');
    // What a run committed by an older release looks like: the whole context in `state`, version 3.
    const state = { hits: 4, seen: [{ id: 'e1', event: 'a' }], status: 'x', extra: [1] };
    const ctxKey = backend.keys.run('old', 'ctx');
    await client.hset(ctxKey, 'state', JSON.stringify(state), 'version', 3);
    expect(await backend.context.get('old')).toEqual({ state, version: 3 });

    const read = await backend.context.read('old', { layout: LAYOUT, fields: ['hits'], logs: { seen: 0 } });
    expect(read).toEqual({
      fields: { hits: { value: 4, version: 0 } },
      logs: { seen: [{ id: 'e1', event: 'a' }] },
    });
    expect(await client.hexists(ctxKey, 'state')).toBe(0);
    expect(await client.llen(`${ctxKey}log:seen`)).toBe(1);
    expect(await backend.context.get('old')).toEqual({ state, version: 3 });

    const result = await backend.commit(
      stepCommit(lease, advance(), {
        fields: [
          { kind: 'counter', field: 'hits', add: 0.1 },
          {
            kind: 'eventLog',
            field: 'seen',
            append: [
              { id: 'e1', event: 'dup' },
              { id: 'e2', event: 'b' },
            ],
          },
        ],
      }),
    );
    expect(result.status).toBe('committed');
    const after = await backend.context.get('old');
    // Double arithmetic, as JavaScript adds.
    expect(after).toEqual({
      state: { ...state, hits: 4 + 0.1, seen: [...state.seen, { id: 'e2', event: 'b' }] },
      version: 4,
    });
  });

  it('a read of a missing run is undefined and creates nothing', async () => {
    backend = createTestBackend('ctx-layout');
    expect(await backend.context.read('nope', { layout: LAYOUT, fields: ['hits'], logs: { seen: 0 } })).toBe(
      undefined,
    );
    expect(await client.exists(backend.keys.run('nope', 'ctx'))).toBe(0);
    await backend.startRun(testRun('fresh', { context: { hits: 0, seen: [], status: null } }));
    expect(await backend.context.get('fresh')).toEqual({
      state: { hits: 0, seen: [], status: null },
      version: 0,
    });
  });
});
