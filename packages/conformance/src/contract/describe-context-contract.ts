import { describe, expect, it } from 'vitest';
import type { Backend, Lease } from '@floxide/distributed';
import type { BackendTestInit } from '../support/backend-test-init.js';
import { advance, leaseBranches, startAndLease, stepCommit, testRun } from '../support/test-records.js';
import { useBackend } from '../support/use-backend.js';

/** Reads a context holding `{ n }`, adds one, commits; re-reads and retries on `conflict`, as a worker does. */
async function incrementLoop(backend: Backend, lease: Lease): Promise<number> {
  for (let tries = 1; ; tries++) {
    const current = await backend.context.get(lease.item.runId);
    if (!current) throw new Error('context vanished');
    const state = { n: (current.state as { n: number }).n + 1 };
    const outcome = advance({ contextOps: [{ field: 'n', op: 'add', value: 1 }] });
    const result = await backend.commit(
      stepCommit(lease, outcome, { expectedVersion: current.version, state }),
    );
    if (result.status === 'committed') return tries;
    if (result.status !== 'conflict') throw new Error(`unexpected commit result ${result.status}`);
    if (tries > 1_000) throw new Error('incrementLoop: no progress');
  }
}

/** Contract of `backend.context`: version 0 at start, compare-and-set by version in commits, no lost update. */
export function describeContextContract(init: BackendTestInit): void {
  describe('ContextStore', () => {
    const backend = useBackend(init);

    it('holds the initial state at version 0; a missing run reads undefined', async () => {
      await backend().startRun(testRun('ctx-1', { context: { n: 5, tags: ['a'] } }));
      expect(await backend().context.get('ctx-1')).toEqual({ state: { n: 5, tags: ['a'] }, version: 0 });
      expect(await backend().context.get('missing')).toBeUndefined();
    });

    it('applies a commit whose expectedVersion matches and bumps the version by one', async () => {
      const lease = await startAndLease(backend(), testRun('ctx-2'));
      const result = await backend().commit(
        stepCommit(lease, advance({ output: 1 }), { expectedVersion: 0, state: { n: 1 } }),
      );
      expect(result).toMatchObject({ status: 'committed' });
      expect(await backend().context.get('ctx-2')).toEqual({ state: { n: 1 }, version: 1 });
    });

    it('leaves the context alone for a commit without a context update', async () => {
      const [lease] = await leaseBranches(backend(), 'ctx-3', 1);
      if (!lease) throw new Error('no lease');
      await backend().commit(stepCommit(lease, advance()));
      expect(await backend().context.get('ctx-3')).toEqual({ state: { n: 0 }, version: 0 });
    });

    it('CAS: of two commits on version 0 one is committed, the other is a conflict that changes nothing', async () => {
      const [a, b] = await leaseBranches(backend(), 'ctx-cas', 2);
      if (!a || !b) throw new Error('no leases');
      const results = await Promise.all([
        backend().commit(stepCommit(a, advance(), { expectedVersion: 0, state: { n: 1, by: 'a' } })),
        backend().commit(stepCommit(b, advance(), { expectedVersion: 0, state: { n: 1, by: 'b' } })),
      ]);
      const statuses = results.map((result) => result.status).sort();
      expect(statuses).toEqual(['committed', 'conflict']);
      const loser = results[0]?.status === 'conflict' ? a : b;
      const winner = loser === a ? 'b' : 'a';
      expect(await backend().context.get('ctx-cas')).toEqual({ state: { n: 1, by: winner }, version: 1 });
      // The conflicting item is untouched: still leased, not completed, and commits once re-applied.
      expect((await backend().items.get('ctx-cas', loser.item.itemId))?.status).toBe('running');
      const retried = await backend().commit(
        stepCommit(loser, advance(), { expectedVersion: 1, state: { n: 2 } }),
      );
      expect(retried.status).toBe('committed');
      expect((await backend().context.get('ctx-cas'))?.version).toBe(2);
    });

    it('loses no update: 50 concurrent read-apply-commit loops end at exactly 50', async () => {
      const leases = await leaseBranches(backend(), 'ctx-50', 50);
      const tries = await Promise.all(leases.map((lease) => incrementLoop(backend(), lease)));
      expect(tries.every((count) => count >= 1)).toBe(true);
      expect(await backend().context.get('ctx-50')).toEqual({ state: { n: 50 }, version: 50 });
      expect((await backend().metrics.get('ctx-50'))?.completed).toBe(51);
    });

    it('returns copies: mutating a read state does not change the store', async () => {
      await backend().startRun(testRun('ctx-copy', { context: { n: 1, list: [1] } }));
      const read = await backend().context.get('ctx-copy');
      (read?.state as { list: number[] }).list.push(2);
      expect((await backend().context.get('ctx-copy'))?.state).toEqual({ n: 1, list: [1] });
    });
  });
}
