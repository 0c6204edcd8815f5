import { describe, expect, it } from 'vitest';
import type { BranchFrame, JoinArrival, WorkItem } from '@floxide/core/engine';
import type { Backend, Lease } from '@floxide/distributed';
import type { BackendTestInit } from '../support/backend-test-init.js';
import { advance, leaseN, startAndLease, stepCommit, testItem, testRun } from '../support/test-records.js';
import { useBackend } from '../support/use-backend.js';

/** Starts `runId` and fans its start item out to `total` leased branch items, each with a join frame. */
async function fanOut(
  backend: Backend,
  runId: string,
  total: number,
): Promise<{ leases: Lease[]; joinItem: JoinArrival['joinItem'] }> {
  const start = await startAndLease(backend, testRun(runId));
  const branches: WorkItem[] = Array.from({ length: total }, (_, index) => {
    const frame: BranchFrame = { fanOutItemId: start.item.itemId, join: 'collect', index, total };
    return testItem({ runId, itemId: `${runId}:b${index}`, node: 'branch', input: index, branches: [frame] });
  });
  await backend.commit(stepCommit(start, advance({ successors: branches, transition: 'nextAll' })));
  const leases = await leaseN(backend, total);
  const joinItem = {
    itemId: `${runId}:collect`,
    runId,
    workflow: start.item.workflow,
    version: 1,
    node: 'collect',
    attempt: 1,
    branches: [],
  };
  return { leases, joinItem };
}

/** The arrival a branch lease sends to the join, with value `v<index>`. */
function arrival(lease: Lease, joinItem: JoinArrival['joinItem']): JoinArrival {
  const frame = lease.item.branches[0];
  if (!frame) throw new Error('branch without frame');
  return { joinItem, index: frame.index, total: frame.total, value: `v${frame.index}` };
}

/** Contract of join arrivals in `backend.commit`: the join item is enqueued once, with values in index order. */
export function describeJoinContract(init: BackendTestInit): void {
  describe('commit: joins', () => {
    const backend = useBackend(init);

    it('enqueues the join item once the last branch arrives, with the values in index order', async () => {
      const { leases, joinItem } = await fanOut(backend(), 'j-1', 3);
      const byIndex = [...leases].sort(
        (a, b) => (b.item.branches[0]?.index ?? 0) - (a.item.branches[0]?.index ?? 0),
      );
      for (const [position, lease] of byIndex.entries()) {
        await backend().commit(stepCommit(lease, advance({ joins: [arrival(lease, joinItem)] })));
        const joins = (await backend().queue.pending('j-1')).filter((item) => item.node === 'collect');
        expect(joins).toHaveLength(position < 2 ? 0 : 1);
      }
      const [join] = await leaseN(backend(), 1);
      expect(join?.item).toMatchObject({ ...joinItem, input: ['v0', 'v1', 'v2'] });
      expect(
        await backend().commit(stepCommit(join as Lease, advance({ output: join?.item.input }))),
      ).toEqual({
        status: 'committed',
        runStatus: 'completed',
      });
      expect((await backend().runs.get('j-1'))?.output).toEqual(['v0', 'v1', 'v2']);
    });

    it('enqueues the join item exactly once when all arrivals commit concurrently', async () => {
      const { leases, joinItem } = await fanOut(backend(), 'j-race', 20);
      const results = await Promise.all(
        leases.map((lease) =>
          backend().commit(stepCommit(lease, advance({ joins: [arrival(lease, joinItem)] }))),
        ),
      );
      expect(results.every((result) => result.status === 'committed')).toBe(true);
      const pending = await backend().queue.pending('j-race');
      expect(pending).toHaveLength(1);
      expect(pending[0]?.input).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}`));
      expect(
        await backend().queue.lease({ workerId: 'w', leaseMs: 5_000, max: 5, waitMs: 300 }),
      ).toHaveLength(1);
    });

    it('counts a duplicated arrival once', async () => {
      const { leases, joinItem } = await fanOut(backend(), 'j-dup', 2);
      const [a, b] = leases;
      if (!a || !b) throw new Error('no leases');
      const step = stepCommit(a, advance({ joins: [arrival(a, joinItem)] }));
      await backend().commit(step);
      expect(await backend().commit(step)).toEqual({ status: 'duplicate' });
      expect((await backend().queue.pending('j-dup')).map((item) => item.itemId)).toEqual([b.item.itemId]);
      await backend().commit(stepCommit(b, advance({ joins: [arrival(b, joinItem)] })));
      expect((await backend().queue.pending('j-dup')).map((item) => item.input)).toEqual([['v0', 'v1']]);
    });
  });
}
