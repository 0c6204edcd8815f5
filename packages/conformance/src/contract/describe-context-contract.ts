import { describe, expect, it } from 'vitest';
import type { FieldCommit } from '@floxide/core/engine';
import type { Backend, ContextReadRequest, Lease } from '@floxide/distributed';
import type { BackendTestInit } from '../support/backend-test-init.js';
import { advance, leaseBranches, startAndLease, stepCommit, testRun } from '../support/test-records.js';
import { useBackend } from '../support/use-backend.js';

/** The layout of the contract's context: one field of each kind. */
const LAYOUT = {
  n: 'counter',
  log: 'eventLog',
  status: 'register',
  sum: 'reducer',
  limit: 'fixed',
} as const satisfies ContextReadRequest['layout'];

/** The initial state of {@link LAYOUT}. */
function initial(): Record<string, unknown> {
  return { n: 0, log: [], status: null, sum: 0, limit: 10 };
}

/**
 * Reads the run's context once with the layout, as a worker does before its first commit: a backend that
 * stores a new run's context as one document splits it into fields on that read.
 */
async function firstRead(backend: Backend, runId: string): Promise<void> {
  await backend.context.read(runId, { layout: LAYOUT, fields: [], logs: {} });
}

/** Reads the reducer `sum`, adds `amount`, commits with a counter add and an append; retries on conflict. */
async function reducerLoop(backend: Backend, lease: Lease, amount: number): Promise<number> {
  for (let tries = 1; ; tries++) {
    const read = await backend.context.read(lease.item.runId, { layout: LAYOUT, fields: ['sum'], logs: {} });
    const sum = read?.fields['sum'];
    if (!sum) throw new Error('context vanished');
    const fields: FieldCommit[] = [
      { kind: 'counter', field: 'n', add: 1 },
      { kind: 'eventLog', field: 'log', append: [{ id: lease.item.itemId, event: amount }] },
      { kind: 'reducer', field: 'sum', expectedVersion: sum.version, state: (sum.value as number) + amount },
    ];
    const result = await backend.commit(stepCommit(lease, advance(), { fields }));
    if (result.status === 'committed') return tries;
    if (result.status !== 'conflict') throw new Error(`unexpected commit result ${result.status}`);
    if (tries > 1_000) throw new Error('reducerLoop: no progress');
  }
}

/**
 * Contract of `backend.context`: version 0 at start, changes applied per field (counter increments,
 * event-log appends idempotent by event id, register sets, reducer compare-and-set on the field's own
 * version), partial reads (some fields, log tails), no lost or doubled update under concurrency.
 */
export function describeContextContract(init: BackendTestInit): void {
  describe('ContextStore', () => {
    const backend = useBackend(init);

    it('holds the initial state at version 0; a missing run reads undefined', async () => {
      await backend().startRun(testRun('ctx-1', { context: { n: 5, tags: ['a'] } }));
      expect(await backend().context.get('ctx-1')).toEqual({ state: { n: 5, tags: ['a'] }, version: 0 });
      expect(await backend().context.get('missing')).toBeUndefined();
      expect(
        await backend().context.read('missing', { layout: LAYOUT, fields: ['n'], logs: { log: 0 } }),
      ).toBeUndefined();
    });

    it('reads the requested fields with versions and each log from a position on', async () => {
      const state = { ...initial(), n: 3, log: [{ id: 'a', event: 1 }], status: 'x' };
      await backend().startRun(testRun('ctx-read', { context: state }));
      expect(
        await backend().context.read('ctx-read', {
          layout: LAYOUT,
          fields: ['n', 'status', 'sum', 'limit'],
          logs: { log: 0 },
        }),
      ).toEqual({
        fields: {
          n: { value: 3, version: 0 },
          status: { value: 'x', version: 0 },
          sum: { value: 0, version: 0 },
          limit: { value: 10, version: 0 },
        },
        logs: { log: [{ id: 'a', event: 1 }] },
      });
      expect(
        await backend().context.read('ctx-read', { layout: LAYOUT, fields: [], logs: { log: 1 } }),
      ).toEqual({ fields: {}, logs: { log: [] } });
      // Reading does not change the context.
      expect(await backend().context.get('ctx-read')).toEqual({ state, version: 0 });
    });

    it('applies each field kind: add, append (idempotent by id), set, reducer state; version + 1', async () => {
      const [a, b] = await leaseBranches(backend(), 'ctx-2', 2, { context: initial() });
      if (!a || !b) throw new Error('no leases');
      await firstRead(backend(), 'ctx-2');
      const first = await backend().commit(
        stepCommit(a, advance(), {
          fields: [
            { kind: 'counter', field: 'n', add: 2 },
            {
              kind: 'eventLog',
              field: 'log',
              append: [
                { id: 'e1', event: { v: 1 } },
                { id: 'e2', event: [] },
              ],
            },
            { kind: 'register', field: 'status', set: { deep: [1, 2] } },
            { kind: 'reducer', field: 'sum', expectedVersion: 0, state: 7 },
          ],
        }),
      );
      expect(first).toMatchObject({ status: 'committed' });
      const second = await backend().commit(
        stepCommit(b, advance(), {
          fields: [
            { kind: 'counter', field: 'n', add: 0.5 },
            {
              kind: 'eventLog',
              field: 'log',
              append: [
                { id: 'e2', event: 'dropped: e2 is in the log' },
                { id: 'e3', event: null },
              ],
            },
            { kind: 'register', field: 'status', set: 'later' },
          ],
        }),
      );
      expect(second).toMatchObject({ status: 'committed' });
      expect(await backend().context.get('ctx-2')).toEqual({
        state: {
          n: 2.5,
          log: [
            { id: 'e1', event: { v: 1 } },
            { id: 'e2', event: [] },
            { id: 'e3', event: null },
          ],
          status: 'later',
          sum: 7,
          limit: 10,
        },
        version: 2,
      });
      const read = await backend().context.read('ctx-2', {
        layout: LAYOUT,
        fields: ['sum'],
        logs: { log: 2 },
      });
      expect(read).toEqual({
        fields: { sum: { value: 7, version: 1 } },
        logs: { log: [{ id: 'e3', event: null }] },
      });
    });

    it('a field commit before any read changes nothing or applies once; after a read it applies', async () => {
      // A backend may keep a new run's context as one document until a worker's first read splits it
      // (only the workflow's layout says which fields are event logs); a commit before that is a
      // `conflict` that changes nothing, and the worker reads and commits again.
      const [a, b] = await leaseBranches(backend(), 'ctx-split', 2, { context: initial() });
      if (!a || !b) throw new Error('no leases');
      const add = (lease: Lease) =>
        stepCommit(lease, advance(), {
          fields: [
            { kind: 'counter', field: 'n', add: 1 },
            { kind: 'eventLog', field: 'log', append: [{ id: lease.item.itemId, event: 1 }] },
          ],
        });
      const early = await backend().commit(add(a));
      expect(['committed', 'conflict']).toContain(early.status);
      const expected = early.status === 'committed' ? 1 : 0;
      expect((await backend().context.get('ctx-split'))?.state).toMatchObject({ n: expected });
      await firstRead(backend(), 'ctx-split');
      expect((await backend().context.get('ctx-split'))?.state).toEqual({
        ...initial(),
        n: expected,
        log: expected === 1 ? [{ id: a.item.itemId, event: 1 }] : [],
      });
      if (early.status === 'conflict') expect((await backend().commit(add(a))).status).toBe('committed');
      expect((await backend().commit(add(b))).status).toBe('committed');
      expect(await backend().context.get('ctx-split')).toMatchObject({ state: { n: 2 }, version: 2 });
    });

    it('leaves the context alone for a commit without context changes', async () => {
      const [lease] = await leaseBranches(backend(), 'ctx-3', 1);
      if (!lease) throw new Error('no lease');
      await backend().commit(stepCommit(lease, advance()));
      expect(await backend().context.get('ctx-3')).toEqual({ state: { n: 0 }, version: 0 });
    });

    it('a duplicate commit applies nothing twice', async () => {
      const lease = await startAndLease(backend(), testRun('ctx-dup', { context: initial() }));
      await firstRead(backend(), 'ctx-dup');
      const commit = stepCommit(lease, advance({ output: 1 }), {
        fields: [
          { kind: 'counter', field: 'n', add: 1 },
          { kind: 'eventLog', field: 'log', append: [{ id: 'once', event: 1 }] },
        ],
      });
      expect(await backend().commit(commit)).toMatchObject({ status: 'committed' });
      expect(await backend().commit(commit)).toEqual({ status: 'duplicate' });
      expect(await backend().context.get('ctx-dup')).toMatchObject({
        state: { n: 1, log: [{ id: 'once', event: 1 }] },
        version: 1,
      });
    });

    it('reducer CAS: of two commits on version 0 one is committed, the other a conflict that changes nothing', async () => {
      const [a, b] = await leaseBranches(backend(), 'ctx-cas', 2, { context: initial() });
      if (!a || !b) throw new Error('no leases');
      await firstRead(backend(), 'ctx-cas');
      const commitOf = (lease: Lease, by: string, version: number, state: number) =>
        stepCommit(lease, advance(), {
          fields: [
            { kind: 'counter', field: 'n', add: 1 },
            { kind: 'eventLog', field: 'log', append: [{ id: by, event: by }] },
            { kind: 'reducer', field: 'sum', expectedVersion: version, state },
          ],
        });
      const results = await Promise.all([
        backend().commit(commitOf(a, 'a', 0, 1)),
        backend().commit(commitOf(b, 'b', 0, 2)),
      ]);
      expect(results.map((result) => result.status).sort()).toEqual(['committed', 'conflict']);
      const loser = results[0]?.status === 'conflict' ? a : b;
      const winner = loser === a ? 'b' : 'a';
      expect(await backend().context.get('ctx-cas')).toMatchObject({
        state: { n: 1, log: [{ id: winner, event: winner }], sum: winner === 'a' ? 1 : 2 },
        version: 1,
      });
      // The conflicting item is untouched: still leased, not completed, and commits once re-applied.
      expect((await backend().items.get('ctx-cas', loser.item.itemId))?.status).toBe('running');
      const loserName = loser === a ? 'a' : 'b';
      expect((await backend().commit(commitOf(loser, loserName, 1, 3))).status).toBe('committed');
      expect(await backend().context.get('ctx-cas')).toMatchObject({ state: { n: 2, sum: 3 }, version: 2 });
    });

    it('loses and doubles nothing: 50 concurrent steps add, append and fold a reducer exactly once each', async () => {
      const leases = await leaseBranches(backend(), 'ctx-50', 50, { context: initial() });
      const tries = await Promise.all(leases.map((lease, i) => reducerLoop(backend(), lease, i + 1)));
      expect(tries.every((count) => count >= 1)).toBe(true);
      const context = await backend().context.get('ctx-50');
      const state = context?.state as { n: number; sum: number; log: { id: string; event: number }[] };
      expect(state.n).toBe(50);
      expect(state.sum).toBe((50 * 51) / 2);
      expect(state.log).toHaveLength(50);
      expect(new Set(state.log.map((e) => e.id)).size).toBe(50);
      expect(context?.version).toBe(50);
      expect((await backend().metrics.get('ctx-50'))?.completed).toBe(51);
    });

    it('returns copies: mutating a read state does not change the store', async () => {
      await backend().startRun(testRun('ctx-copy', { context: { n: 1, list: [1], log: [] } }));
      const read = await backend().context.get('ctx-copy');
      (read?.state as { list: number[] }).list.push(2);
      expect((await backend().context.get('ctx-copy'))?.state).toEqual({ n: 1, list: [1], log: [] });
      const part = await backend().context.read('ctx-copy', {
        layout: { n: 'counter', list: 'register', log: 'eventLog' },
        fields: ['list'],
        logs: {},
      });
      (part?.fields['list']?.value as number[]).push(3);
      expect((await backend().context.get('ctx-copy'))?.state).toEqual({ n: 1, list: [1], log: [] });
    });
  });
}
