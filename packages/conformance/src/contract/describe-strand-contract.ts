import { describe, expect, it } from 'vitest';
import type { BranchFrame, JoinArrival } from '@floxide/core/engine';
import type { CommitResult, Lease } from '@floxide/distributed';
import type { BackendTestInit } from '../support/backend-test-init.js';
import { advance, leaseN, startAndLease, stepCommit, testItem, testRun } from '../support/test-records.js';
import { useBackend } from '../support/use-backend.js';

/** The strand lease a commit returned; fails the test when there is none. */
function nextOf(result: CommitResult): Lease {
  if (result.status !== 'committed' || !result.next) {
    throw new Error(`expected a strand continuation, got ${JSON.stringify(result)}`);
  }
  return result.next;
}

/** Contract of strand continuations: a commit that asks for one leases the run's next item to the committer. */
export function describeStrandContract(init: BackendTestInit): void {
  describe('commit: strands', () => {
    const backend = useBackend(init);
    const strand = { leaseMs: 30_000 };

    it('leases the first successor to the committing worker, running, with step.started recorded', async () => {
      const start = await startAndLease(backend(), testRun('s-1'));
      const second = testItem({ runId: 's-1', itemId: 's-1:second', node: 'second', input: 2 });
      const next = nextOf(
        await backend().commit({ ...stepCommit(start, advance({ successors: [second] })), strand }),
      );
      expect(next.item).toMatchObject({ itemId: 's-1:second', node: 'second', input: 2, attempt: 1 });
      expect(next.workerId).toBe(start.workerId);
      expect(await backend().items.get('s-1', 's-1:second')).toMatchObject({
        status: 'running',
        attempts: 1,
      });
      const events = await backend().events.read('s-1', 0);
      expect(events.filter((e) => e.type === 'step.started' && e.itemId === 's-1:second')).toHaveLength(1);
      // Leased: the queue does not hand it out again, and the strand lease extends and commits normally.
      expect(await backend().queue.lease({ workerId: 'other', leaseMs: 30_000 })).toEqual([]);
      expect(await backend().queue.extend(next, 30_000)).toBe('active');
      expect(await backend().commit(stepCommit(next, advance({ output: 'done' })))).toMatchObject({
        status: 'committed',
        runStatus: 'completed',
      });
      // The first commit again, strand request and all: a duplicate that leases nothing.
      expect(
        await backend().commit({ ...stepCommit(start, advance({ successors: [second] })), strand }),
      ).toEqual({ status: 'duplicate' });
    });

    it('a commit without the request leases nothing; the successor waits in the queue', async () => {
      const start = await startAndLease(backend(), testRun('s-2'));
      const second = testItem({ runId: 's-2', itemId: 's-2:second', node: 'second' });
      const result = await backend().commit(stepCommit(start, advance({ successors: [second] })));
      expect(result).toEqual({ status: 'committed', runStatus: 'running' });
      const [queued] = await leaseN(backend(), 1);
      expect(queued?.item.itemId).toBe('s-2:second');
    });

    it('fan-out: the first branch continues on the strand, the others are queued', async () => {
      const start = await startAndLease(backend(), testRun('s-3'));
      const branches = [0, 1, 2].map((i) => testItem({ runId: 's-3', itemId: `s-3:b${i}`, input: i }));
      const next = nextOf(
        await backend().commit({
          ...stepCommit(start, advance({ successors: branches, transition: 'nextAll' })),
          strand,
        }),
      );
      expect(next.item.itemId).toBe('s-3:b0');
      const queued = await leaseN(backend(), 2);
      expect(queued.map((l) => l.item.itemId).sort()).toEqual(['s-3:b1', 's-3:b2']);
    });

    it('a join fired by the commit continues on the strand, with the values in index order', async () => {
      const start = await startAndLease(backend(), testRun('s-4'));
      const branches = [0, 1].map((index) => {
        const frame: BranchFrame = { fanOutItemId: start.item.itemId, join: 'collect', index, total: 2 };
        return testItem({ runId: 's-4', itemId: `s-4:b${index}`, input: index, branches: [frame] });
      });
      await backend().commit(stepCommit(start, advance({ successors: branches, transition: 'nextAll' })));
      const leases = await leaseN(backend(), 2);
      const joinItem: JoinArrival['joinItem'] = {
        itemId: 's-4:collect',
        runId: 's-4',
        workflow: start.item.workflow,
        version: 1,
        node: 'collect',
        attempt: 1,
        branches: [],
      };
      const arrive = (lease: Lease): JoinArrival => {
        const index = lease.item.branches[0]?.index ?? -1;
        return { joinItem, index, total: 2, value: `v${index}` };
      };
      const [a, b] = leases as [Lease, Lease];
      const first = await backend().commit({ ...stepCommit(a, advance({ joins: [arrive(a)] })), strand });
      expect(first).toEqual({ status: 'committed', runStatus: 'running' });
      const next = nextOf(
        await backend().commit({ ...stepCommit(b, advance({ joins: [arrive(b)] })), strand }),
      );
      expect(next.item).toMatchObject({ itemId: 's-4:collect', input: ['v0', 'v1'] });
    });

    it('a paused run leases nothing: the commit is recorded and the successor waits for resume', async () => {
      const start = await startAndLease(backend(), testRun('s-5'));
      await backend().control('s-5', 'pause');
      const second = testItem({ runId: 's-5', itemId: 's-5:second', node: 'second' });
      const result = await backend().commit({
        ...stepCommit(start, advance({ successors: [second] })),
        strand,
      });
      expect(result).toEqual({ status: 'committed', runStatus: 'paused' });
      expect(await backend().queue.lease({ workerId: 'w', leaseMs: 30_000 })).toEqual([]);
      await backend().control('s-5', 'resume');
      const [resumed] = await leaseN(backend(), 1);
      expect(resumed?.item.itemId).toBe('s-5:second');
    });

    it('a cancelled run rejects the commit and leases nothing', async () => {
      const start = await startAndLease(backend(), testRun('s-6'));
      await backend().control('s-6', 'cancel');
      const second = testItem({ runId: 's-6', itemId: 's-6:second', node: 'second' });
      const result = await backend().commit({
        ...stepCommit(start, advance({ successors: [second] })),
        strand,
      });
      expect(result).toEqual({ status: 'rejected', runStatus: 'cancelled' });
      // No successor exists (the start item's own lease may linger until it lapses or is released).
      const pending = await backend().queue.pending('s-6');
      expect(pending.map((item) => item.itemId)).not.toContain('s-6:second');
    });

    it('a strand lease that lapses makes its item visible again, same attempt', async () => {
      // The same lease length for both (as a worker uses): a strand lease may be the lock of the first one.
      const start = await startAndLease(backend(), testRun('s-7'), { leaseMs: 1_000 });
      const second = testItem({ runId: 's-7', itemId: 's-7:second', node: 'second' });
      nextOf(
        await backend().commit({
          ...stepCommit(start, advance({ successors: [second] })),
          strand: { leaseMs: 1_000 },
        }),
      );
      const [again] = await leaseN(backend(), 1, { timeoutMs: 20_000 });
      expect(again?.item).toMatchObject({ itemId: 's-7:second', attempt: 1 });
    });
  });
}
