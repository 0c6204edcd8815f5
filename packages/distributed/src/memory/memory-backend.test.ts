import { describe, expect, it } from 'vitest';
import { isFloxideError } from '@floxide/core';
import { advance, failed, makeItem, makeRun, retry } from '../test-support/fixtures.js';
import { MemoryBackend } from './memory-backend.js';

function setup() {
  const clock = { t: 10_000 };
  const backend = new MemoryBackend({ now: () => clock.t });
  return { clock, backend };
}

async function leaseOne(backend: MemoryBackend, leaseMs = 1_000) {
  const [lease] = await backend.queue.lease({ workerId: 'w1', leaseMs });
  if (!lease) throw new Error('expected a lease');
  return lease;
}

describe('MemoryBackend.startRun', () => {
  it('stores a queued run, its context at version 0 and its start item; idempotent by runId', async () => {
    const { backend } = setup();
    const first = await backend.startRun(makeRun('r1'));
    expect(first.created).toBe(true);
    expect(first.run.status).toBe('queued');
    const again = await backend.startRun(makeRun('r1', { input: { n: 2 } }));
    expect(again.created).toBe(false);
    expect(again.run.input).toEqual({ n: 1 });
    expect(await backend.context.get('r1')).toEqual({ state: { hits: 0 }, version: 0 });
    expect((await backend.queue.pending('r1')).map((i) => i.itemId)).toEqual(['r1:start']);
    expect(await backend.items.get('r1', 'r1:start')).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('reads missing runs as undefined or empty', async () => {
    const { backend } = setup();
    expect(await backend.runs.get('nope')).toBeUndefined();
    expect(await backend.context.get('nope')).toBeUndefined();
    expect(await backend.metrics.get('nope')).toBeUndefined();
    expect(await backend.errors.list('nope')).toEqual([]);
    expect(await backend.events.read('nope', 0)).toEqual([]);
    expect(await backend.items.list('nope')).toEqual([]);
    expect(await backend.queue.pending('nope')).toEqual([]);
    expect(await backend.queue.purgeRun('nope')).toBe(0);
  });
});

describe('MemoryWorkQueue leases', () => {
  it('claims an item once, marks the run running and the item running', async () => {
    const { backend } = setup();
    await backend.startRun(makeRun('r1'));
    const lease = await leaseOne(backend);
    expect(lease.item.itemId).toBe('r1:start');
    expect(await backend.queue.lease({ workerId: 'w2', leaseMs: 1_000 })).toEqual([]);
    const run = await backend.runs.get('r1');
    expect(run?.status).toBe('running');
    expect(run?.startedAt).toBe(10_000);
    expect(await backend.items.get('r1', 'r1:start')).toMatchObject({ status: 'running', attempts: 1 });
    expect((await backend.metrics.get('r1'))?.running).toBe(1);
  });

  it('makes an expired lease visible again with the same attempt; the old lease is lost', async () => {
    const { backend, clock } = setup();
    await backend.startRun(makeRun('r1'));
    const first = await leaseOne(backend, 500);
    clock.t += 499;
    expect(await backend.queue.lease({ workerId: 'w2', leaseMs: 500 })).toEqual([]);
    clock.t += 1;
    const second = await leaseOne(backend, 500);
    expect(second.item.attempt).toBe(1);
    expect(second.token).not.toBe(first.token);
    expect(await backend.queue.extend(first, 500)).toBe('lost');
    expect(await backend.queue.extend(second, 500)).toBe('active');
  });

  it('extend keeps a lease alive past its first deadline', async () => {
    const { backend, clock } = setup();
    await backend.startRun(makeRun('r1'));
    const lease = await leaseOne(backend, 500);
    clock.t += 400;
    expect(await backend.queue.extend(lease, 500)).toBe('active');
    clock.t += 400;
    expect(await backend.queue.lease({ workerId: 'w2', leaseMs: 500 })).toEqual([]);
  });

  it('release makes the item visible after the delay; releasing a lost lease is a no-op', async () => {
    const { backend, clock } = setup();
    await backend.startRun(makeRun('r1'));
    const lease = await leaseOne(backend);
    await backend.queue.release(lease, { delayMs: 300 });
    expect(await backend.queue.lease({ workerId: 'w2', leaseMs: 1_000 })).toEqual([]);
    clock.t += 300;
    const again = await leaseOne(backend);
    await backend.queue.release(lease);
    expect(await backend.queue.extend(again, 1_000)).toBe('active');
    expect((await backend.metrics.get('r1'))?.running).toBe(1);
  });

  it('claims at most max items, and never one item twice across concurrent calls', async () => {
    const { backend } = setup();
    await backend.startRun(makeRun('r1'));
    const l0 = await leaseOne(backend);
    const items = [1, 2, 3, 4, 5].map((n) => makeItem('r1', `i${n}`));
    await backend.commit({ lease: l0, outcome: advance({ successors: items }), at: 1 });
    const batch = await backend.queue.lease({ workerId: 'w', leaseMs: 1_000, max: 2 });
    expect(batch).toHaveLength(2);
    const rest = await Promise.all(
      Array.from({ length: 10 }, () => backend.queue.lease({ workerId: 'w', leaseMs: 1_000 })),
    );
    const ids = [...batch, ...rest.flat()].map((l) => l.item.itemId);
    expect(new Set(ids).size).toBe(5);
    expect(ids).toHaveLength(5);
  });

  it('a waiting lease call is woken by an enqueue, without waiting out waitMs', async () => {
    const backend = new MemoryBackend();
    await backend.startRun(makeRun('r1'));
    const l0 = await leaseOne(backend);
    const waiting = backend.queue.lease({ workerId: 'w', leaseMs: 1_000, waitMs: 10_000 });
    await backend.commit({ lease: l0, outcome: advance({ successors: [makeItem('r1', 'next')] }), at: 1 });
    const started = Date.now();
    const [lease] = await waiting;
    expect(lease?.item.itemId).toBe('next');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a waiting lease call sees a delayed item once its time comes', async () => {
    const backend = new MemoryBackend();
    await backend.startRun(makeRun('r1'));
    const l0 = await leaseOne(backend);
    await backend.commit({ lease: l0, outcome: retry(l0, 60), at: 1 });
    expect(await backend.queue.lease({ workerId: 'w', leaseMs: 1_000 })).toEqual([]);
    const [lease] = await backend.queue.lease({ workerId: 'w', leaseMs: 1_000, waitMs: 5_000 });
    expect(lease?.item.attempt).toBe(2);
  });

  it('an aborted waiting lease call resolves empty', async () => {
    const backend = new MemoryBackend();
    const controller = new AbortController();
    const waiting = backend.queue.lease({
      workerId: 'w',
      leaseMs: 1_000,
      waitMs: 10_000,
      signal: controller.signal,
    });
    controller.abort();
    expect(await waiting).toEqual([]);
  });

  it('enqueue is idempotent by (itemId, attempt)', async () => {
    const { backend } = setup();
    await backend.startRun(makeRun('r1'));
    await backend.queue.enqueue([makeItem('r1', 'x'), makeItem('r1', 'x')]);
    await backend.queue.enqueue([makeItem('r1', 'r1:start')]);
    expect((await backend.queue.pending('r1')).map((i) => i.itemId).sort()).toEqual(['r1:start', 'x']);
    expect((await backend.metrics.get('r1'))?.totalItems).toBe(2);
  });

  it('returns copies: mutating a lease item or a run record does not change the store', async () => {
    const { backend } = setup();
    await backend.startRun(makeRun('r1'));
    const lease = await leaseOne(backend);
    (lease.item as { node: string }).node = 'hacked';
    const run = await backend.runs.get('r1');
    (run as { status: string }).status = 'completed';
    (run?.input as { n: number }).n = 99;
    expect((await backend.queue.pending('r1'))[0]?.node).toBe('start');
    expect(await backend.runs.get('r1')).toMatchObject({ status: 'running', input: { n: 1 } });
  });
});

describe('MemoryBackend.commit', () => {
  it('enqueues successors and is idempotent by (itemId, attempt)', async () => {
    const { backend } = setup();
    await backend.startRun(makeRun('r1'));
    const lease = await leaseOne(backend);
    const step = {
      lease,
      outcome: advance({ successors: [makeItem('r1', 'a'), makeItem('r1', 'b')] }),
      at: 5,
    };
    expect(await backend.commit(step)).toEqual({ status: 'committed', runStatus: 'running' });
    expect(await backend.commit(step)).toEqual({ status: 'duplicate' });
    expect((await backend.queue.pending('r1')).map((i) => i.itemId)).toEqual(['a', 'b']);
    expect(await backend.items.get('r1', 'r1:start')).toMatchObject({ status: 'completed', attempts: 1 });
    expect(await backend.metrics.get('r1')).toMatchObject({ totalItems: 3, completed: 1, running: 0 });
    const types = (await backend.events.read('r1', 0)).map((e) => e.type);
    expect(types).toEqual(['run.status', 'run.status', 'step.started', 'step.committed']);
  });

  it('applies context changes per field; a stale reducer version is a conflict that changes nothing', async () => {
    const { backend } = setup();
    await backend.startRun(makeRun('r1', { context: { hits: 0, sum: 0, log: [] } }));
    const l0 = await leaseOne(backend);
    await backend.commit({
      lease: l0,
      outcome: advance({ successors: [makeItem('r1', 'a'), makeItem('r1', 'b')] }),
      at: 1,
    });
    const [la, lb] = await backend.queue.lease({ workerId: 'w', leaseMs: 1_000, max: 2 });
    if (!la || !lb) throw new Error('expected two leases');
    const a = await backend.commit({
      lease: la,
      outcome: advance(),
      context: {
        fields: [
          { kind: 'counter', field: 'hits', add: 2 },
          { kind: 'reducer', field: 'sum', expectedVersion: 0, state: 5 },
        ],
      },
      at: 2,
    });
    const b = await backend.commit({
      lease: lb,
      outcome: advance(),
      context: {
        fields: [
          { kind: 'counter', field: 'hits', add: 1 },
          { kind: 'reducer', field: 'sum', expectedVersion: 0, state: 7 },
        ],
      },
      at: 2,
    });
    expect(a.status).toBe('committed');
    expect(b.status).toBe('conflict');
    expect(await backend.items.get('r1', 'b')).toMatchObject({ status: 'running' });
    const read = await backend.context.read('r1', {
      layout: { hits: 'counter', sum: 'reducer' },
      fields: ['sum'],
      logs: {},
    });
    expect(read).toEqual({ fields: { sum: { value: 5, version: 1 } }, logs: {} });
    const b2 = await backend.commit({
      lease: lb,
      outcome: advance({ output: { value: 'done' } }),
      context: {
        fields: [
          { kind: 'counter', field: 'hits', add: 1 },
          { kind: 'reducer', field: 'sum', expectedVersion: 1, state: 12 },
          { kind: 'eventLog', field: 'log', append: [{ id: 'e1', event: 'x' }] },
        ],
      },
      at: 3,
    });
    expect(b2).toEqual({ status: 'committed', runStatus: 'completed' });
    expect(await backend.context.get('r1')).toEqual({
      state: { hits: 3, sum: 12, log: [{ id: 'e1', event: 'x' }] },
      version: 2,
    });
  });

  it('first terminal output completes the run; later commits are rejected', async () => {
    const { backend } = setup();
    await backend.startRun(makeRun('r1'));
    const l0 = await leaseOne(backend);
    await backend.commit({
      lease: l0,
      outcome: advance({ successors: [makeItem('r1', 'a'), makeItem('r1', 'b')] }),
      at: 1,
    });
    const [la, lb] = await backend.queue.lease({ workerId: 'w', leaseMs: 1_000, max: 2 });
    if (!la || !lb) throw new Error('expected two leases');
    await backend.commit({ lease: la, outcome: advance({ output: { value: 'A' } }), at: 7 });
    expect(await backend.commit({ lease: lb, outcome: advance({ output: { value: 'B' } }), at: 8 })).toEqual({
      status: 'rejected',
      runStatus: 'completed',
    });
    expect(await backend.runs.get('r1')).toMatchObject({ status: 'completed', output: 'A', finishedAt: 7 });
  });

  it('fails the run with NO_TERMINAL_OUTPUT when the last item is consumed without output', async () => {
    const { backend } = setup();
    await backend.startRun(makeRun('r1'));
    const l0 = await leaseOne(backend);
    await backend.commit({ lease: l0, outcome: advance({ transition: 'hold' }), at: 1 });
    const run = await backend.runs.get('r1');
    expect(run?.status).toBe('failed');
    expect(run?.error?.code).toBe('NO_TERMINAL_OUTPUT');
  });

  it('enqueues a join item once, with the values in index order, when the last branch arrives', async () => {
    const { backend } = setup();
    await backend.startRun(makeRun('r1'));
    const l0 = await leaseOne(backend);
    const branches = [0, 1, 2].map((i) => makeItem('r1', `b${i}`, { input: i }));
    await backend.commit({
      lease: l0,
      outcome: advance({ transition: 'nextAll', successors: branches }),
      at: 1,
    });
    const leases = await backend.queue.lease({ workerId: 'w', leaseMs: 1_000, max: 3 });
    const joinItem = {
      itemId: 'join1',
      runId: 'r1',
      workflow: 'test',
      version: 1,
      node: 'collect',
      attempt: 1,
      branches: [],
    };
    // Arrive out of order: 2, 0, 1 (and index 0 twice, as a re-executed step would).
    for (const i of [2, 0, 1]) {
      const lease = leases.find((l) => l.item.input === i);
      if (!lease) throw new Error('missing lease');
      const arrivals = [{ joinItem, index: i, total: 3, value: `v${i}` }];
      await backend.commit({
        lease,
        outcome: advance({ joins: i === 0 ? [...arrivals, ...arrivals] : arrivals }),
        at: 2,
      });
      if (i !== 1) expect((await backend.queue.pending('r1')).map((p) => p.itemId)).not.toContain('join1');
    }
    const pending = await backend.queue.pending('r1');
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ itemId: 'join1', node: 'collect', input: ['v0', 'v1', 'v2'] });
    expect((await backend.runs.get('r1'))?.status).toBe('running');
  });

  it('turns a retry into a durable delayed item and records the error', async () => {
    const { backend, clock } = setup();
    await backend.startRun(makeRun('r1'));
    const l0 = await leaseOne(backend);
    expect((await backend.commit({ lease: l0, outcome: retry(l0, 1_000), at: 1 })).status).toBe('committed');
    expect(await backend.items.get('r1', 'r1:start')).toMatchObject({
      status: 'waiting-retry',
      lastError: { message: 'boom' },
    });
    expect(await backend.queue.pending('r1')).toMatchObject([{ itemId: 'r1:start', attempt: 2 }]);
    expect(await backend.queue.lease({ workerId: 'w', leaseMs: 1_000 })).toEqual([]);
    clock.t += 1_000;
    const l1 = await leaseOne(backend);
    expect(l1.item.attempt).toBe(2);
    expect(await backend.errors.list('r1')).toMatchObject([
      { itemId: 'r1:start', attempt: 1, error: { message: 'boom' } },
    ]);
    expect(await backend.metrics.get('r1')).toMatchObject({ retries: 1, totalItems: 1 });
    expect((await backend.events.read('r1', 0)).map((e) => e.type)).toContain('step.retrying');
  });

  it('takes the fallback items of a failed step, or marks the item dead and fails the run', async () => {
    const { backend } = setup();
    await backend.startRun(makeRun('r1'));
    const l0 = await leaseOne(backend);
    await backend.commit({ lease: l0, outcome: failed([makeItem('r1', 'fb')]), at: 1 });
    expect(await backend.items.get('r1', 'r1:start')).toMatchObject({ status: 'failed' });
    expect((await backend.runs.get('r1'))?.status).toBe('running');
    const l1 = await leaseOne(backend);
    expect(l1.item.itemId).toBe('fb');
    await backend.commit({ lease: l1, outcome: failed(), at: 2 });
    expect(await backend.items.get('r1', 'fb')).toMatchObject({ status: 'dead' });
    expect(await backend.runs.get('r1')).toMatchObject({ status: 'failed', error: { message: 'boom' } });
    expect(await backend.errors.list('r1')).toHaveLength(2);
    expect(await backend.metrics.get('r1')).toMatchObject({ failed: 2 });
  });

  it('retryFailed enqueues dead items as a new attempt and the run runs again', async () => {
    const { backend } = setup();
    await backend.startRun(makeRun('r1'));
    const l0 = await leaseOne(backend);
    await backend.commit({ lease: l0, outcome: failed(), at: 1 });
    const revived = await backend.control('r1', 'retryFailed');
    expect(revived.status).toBe('running');
    expect(revived.error).toBeUndefined();
    const l1 = await leaseOne(backend);
    expect(l1.item).toMatchObject({ itemId: 'r1:start', attempt: 2 });
    await backend.commit({ lease: l1, outcome: advance({ output: { value: 42 } }), at: 2 });
    expect(await backend.runs.get('r1')).toMatchObject({ status: 'completed', output: 42 });
  });
});

describe('MemoryBackend.control', () => {
  it('pause hides the run’s items until resume; in-flight commits still land', async () => {
    const { backend } = setup();
    await backend.startRun(makeRun('r1'));
    const l0 = await leaseOne(backend);
    await backend.control('r1', 'pause');
    expect(await backend.queue.extend(l0, 1_000)).toBe('active');
    const result = await backend.commit({
      lease: l0,
      outcome: advance({ successors: [makeItem('r1', 'a')] }),
      at: 1,
    });
    expect(result).toEqual({ status: 'committed', runStatus: 'paused' });
    expect(await backend.queue.lease({ workerId: 'w', leaseMs: 1_000 })).toEqual([]);
    expect(await backend.queue.pending('r1')).toHaveLength(1);
    await backend.control('r1', 'resume');
    expect((await leaseOne(backend)).item.itemId).toBe('a');
  });

  it('cancel purges queued items, refuses later commits and makes extend report cancelled', async () => {
    const { backend } = setup();
    await backend.startRun(makeRun('r1'));
    const l0 = await leaseOne(backend);
    await backend.queue.enqueue([makeItem('r1', 'other')]);
    const info = await backend.control('r1', 'cancel');
    expect(info.status).toBe('cancelled');
    expect(await backend.queue.extend(l0, 1_000)).toBe('cancelled');
    expect(
      await backend.commit({ lease: l0, outcome: advance({ successors: [makeItem('r1', 'a')] }), at: 1 }),
    ).toEqual({
      status: 'rejected',
      runStatus: 'cancelled',
    });
    expect((await backend.queue.pending('r1')).map((i) => i.itemId)).toEqual(['r1:start']);
    await backend.queue.release(l0);
    expect(await backend.queue.lease({ workerId: 'w', leaseMs: 1_000 })).toEqual([]);
    expect(await backend.queue.pending('r1')).toEqual([]);
  });

  it('throws RUN_NOT_FOUND and RUN_STATE errors', async () => {
    const { backend } = setup();
    await expect(backend.control('nope', 'pause')).rejects.toSatisfy((e) =>
      isFloxideError(e, 'RUN_NOT_FOUND'),
    );
    await backend.startRun(makeRun('r1'));
    await expect(backend.control('r1', 'resume')).rejects.toSatisfy((e) => isFloxideError(e, 'RUN_STATE'));
    await expect(backend.control('r1', 'retryFailed')).rejects.toSatisfy((e) =>
      isFloxideError(e, 'RUN_STATE'),
    );
    await backend.control('r1', 'cancel');
    await expect(backend.control('r1', 'cancel')).rejects.toSatisfy((e) => isFloxideError(e, 'RUN_STATE'));
  });

  it('failRun fails an unfinished run with an error record and ignores finished or missing runs', async () => {
    const { backend } = setup();
    await backend.startRun(makeRun('r1'));
    await backend.failRun('r1', { name: 'CorruptRecordError', code: 'CORRUPT_RECORD', message: 'bad json' });
    expect(await backend.runs.get('r1')).toMatchObject({
      status: 'failed',
      error: { code: 'CORRUPT_RECORD' },
    });
    expect(await backend.errors.list('r1')).toHaveLength(1);
    await backend.failRun('r1', { name: 'X', code: 'X', message: 'again' });
    await backend.failRun('nope', { name: 'X', code: 'X', message: 'none' });
    expect(await backend.errors.list('r1')).toHaveLength(1);
    expect(await backend.queue.lease({ workerId: 'w', leaseMs: 1_000 })).toEqual([]);
  });
});

describe('MemoryRunInfoStore.list', () => {
  it('pages newest first with filters and a stable cursor', async () => {
    const { backend } = setup();
    for (let i = 0; i < 5; i += 1)
      await backend.startRun(makeRun(`r${i}`, { createdAt: 1_000 + i, workflow: i % 2 ? 'odd' : 'test' }));
    const page1 = await backend.runs.list({ limit: 2 });
    expect(page1.runs.map((r) => r.runId)).toEqual(['r4', 'r3']);
    await backend.startRun(makeRun('r9', { createdAt: 9_999 }));
    const page2 = await backend.runs.list({ limit: 2, cursor: page1.nextCursor as string });
    expect(page2.runs.map((r) => r.runId)).toEqual(['r2', 'r1']);
    const page3 = await backend.runs.list({ limit: 2, cursor: page2.nextCursor as string });
    expect(page3.runs.map((r) => r.runId)).toEqual(['r0']);
    expect(page3.nextCursor).toBeUndefined();
    expect((await backend.runs.list({ workflow: 'odd' })).runs.map((r) => r.runId)).toEqual(['r3', 'r1']);
    expect((await backend.runs.list({ status: 'completed' })).runs).toEqual([]);
    await expect(backend.runs.list({ cursor: 'garbage' })).rejects.toSatisfy((e) =>
      isFloxideError(e, 'VALIDATION'),
    );
  });
});

describe('MemoryLivenessStore', () => {
  it('keeps the last heartbeat per worker, lists by id and forgets removed workers', async () => {
    const { backend } = setup();
    const health = {
      host: 'h',
      pid: 1,
      startedAt: 1,
      status: 'idle' as const,
      currentItems: [],
      processed: 0,
      errors: 0,
    };
    await backend.liveness.heartbeat({ ...health, workerId: 'b', lastHeartbeat: 1 });
    await backend.liveness.heartbeat({ ...health, workerId: 'a', lastHeartbeat: 1 });
    await backend.liveness.heartbeat({ ...health, workerId: 'b', lastHeartbeat: 2 });
    expect((await backend.liveness.list()).map((w) => [w.workerId, w.lastHeartbeat])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    await backend.liveness.remove('a');
    await backend.liveness.remove('a');
    expect(await backend.liveness.get('a')).toBeUndefined();
    expect((await backend.liveness.list()).map((w) => w.workerId)).toEqual(['b']);
  });
});

describe('MemoryEventStore', () => {
  it('reads events after a seq, in seq order, with a limit', async () => {
    const { backend } = setup();
    await backend.startRun(makeRun('r1'));
    await leaseOne(backend);
    const all = await backend.events.read('r1', 0);
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect((await backend.events.read('r1', 1, 1)).map((e) => e.seq)).toEqual([2]);
    expect(await backend.events.read('r1', 3)).toEqual([]);
  });
});
