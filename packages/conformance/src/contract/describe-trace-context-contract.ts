import { describe, expect, it } from 'vitest';
import type { BranchFrame, ItemTraceContext, WorkItem } from '@floxide/core/engine';
import type { Lease } from '@floxide/distributed';
import type { BackendTestInit } from '../support/backend-test-init.js';
import {
  advance,
  failed,
  leaseN,
  leaseOne,
  retry,
  stepCommit,
  testItem,
  testRun,
} from '../support/test-records.js';
import { useBackend } from '../support/use-backend.js';

/** A W3C trace context whose parent span id is `span` (16 hex digits). */
function traceOf(span: string, tracestate?: string): ItemTraceContext {
  const traceparent = `00-4bf92f3577b34da6a3ce929d0e0e4736-${span}-01`;
  return tracestate === undefined ? { traceparent } : { traceparent, tracestate };
}

function traced(item: WorkItem, trace: ItemTraceContext): WorkItem {
  return { ...item, trace };
}

/**
 * Contract of `WorkItem.trace`: the trace context a tracer puts in an item comes back unchanged from every
 * path the item takes through the backend — start, successors, strand continuations, retries, durable
 * timers, pause and resume, join items, on-failure fallbacks.
 */
export function describeTraceContextContract(init: BackendTestInit): void {
  describe('work items: trace context', () => {
    const backend = useBackend(init);

    it('keeps the trace context of start items, successors, strand leases, retries and timers', async () => {
      const run = testRun('tc-1');
      const start = traceOf('00f067aa0ba902b7', 'vendor=a,other=b');
      await backend().startRun({ ...run, startItem: traced(run.startItem, start) });
      expect((await backend().queue.pending('tc-1'))[0]?.trace).toEqual(start);
      const first = await leaseOne(backend());
      expect(first.item.trace).toEqual(start);

      // The first successor continues the strand; the second waits in the queue.
      const a = traced(testItem({ runId: 'tc-1', itemId: 'tc-1:a', node: 'a' }), traceOf('1111111111111111'));
      const b = traced(testItem({ runId: 'tc-1', itemId: 'tc-1:b', node: 'b' }), traceOf('2222222222222222'));
      const result = await backend().commit({
        ...stepCommit(first, advance({ successors: [a, b], transition: 'nextAll' })),
        strand: { leaseMs: 30_000 },
      });
      const leases: Lease[] = result.status === 'committed' && result.next ? [result.next] : [];
      leases.push(...(await leaseN(backend(), 2 - leases.length)));
      const byNode = new Map(leases.map((l) => [l.item.node, l] as const));
      expect(byNode.get('a')?.item.trace).toEqual(a.trace);
      expect(byNode.get('b')?.item.trace).toEqual(b.trace);

      // A retry keeps its item's trace context.
      const leasedB = byNode.get('b') as Lease;
      await backend().commit(stepCommit(leasedB, retry(leasedB.item, 10)));
      const again = await leaseOne(backend());
      expect(again.item).toMatchObject({ node: 'b', attempt: 2, trace: b.trace });

      // Successors behind a durable timer keep theirs.
      const c = traced(testItem({ runId: 'tc-1', itemId: 'tc-1:c', node: 'c' }), traceOf('3333333333333333'));
      await backend().commit(stepCommit(again, { ...advance({ successors: [c] }), delayMs: 50 }));
      const timed = await leaseOne(backend());
      expect(timed.item).toMatchObject({ node: 'c', trace: c.trace });
    });

    it('keeps it through pause and resume, and on on-failure fallbacks', async () => {
      const run = testRun('tc-2');
      const start = traceOf('4444444444444444');
      await backend().startRun({ ...run, startItem: traced(run.startItem, start) });
      await backend().control('tc-2', 'pause');
      await backend().control('tc-2', 'resume');
      const first = await leaseOne(backend());
      expect(first.item.trace).toEqual(start);
      const fallback = traced(
        testItem({ runId: 'tc-2', itemId: 'tc-2:fallback', node: 'fallback' }),
        traceOf('5555555555555555'),
      );
      await backend().commit(stepCommit(first, failed(undefined, [fallback])));
      expect((await leaseOne(backend())).item.trace).toEqual(fallback.trace);
    });

    it('gives the join item the trace context of one of its arrivals', async () => {
      const run = testRun('tc-3');
      await backend().startRun(run);
      const start = await leaseOne(backend());
      const branches = [0, 1, 2].map((index) => {
        const frame: BranchFrame = { fanOutItemId: start.item.itemId, join: 'collect', index, total: 3 };
        return testItem({ runId: 'tc-3', itemId: `tc-3:b${index}`, node: 'branch', branches: [frame] });
      });
      await backend().commit(stepCommit(start, advance({ successors: branches, transition: 'nextAll' })));
      const joinItem = { itemId: 'tc-3:collect', runId: 'tc-3', workflow: start.item.workflow, version: 1 };
      const arrivalTraces: ItemTraceContext[] = [];
      for (const lease of await leaseN(backend(), 3)) {
        const index = lease.item.branches[0]?.index ?? 0;
        const trace = traceOf(`${index + 6}`.repeat(16));
        arrivalTraces.push(trace);
        const arrival = {
          joinItem: { ...joinItem, node: 'collect', attempt: 1, branches: [], trace },
          index,
          total: 3,
          value: index,
        };
        await backend().commit(stepCommit(lease, advance({ joins: [arrival] })));
      }
      const join = await leaseOne(backend());
      expect(join.item.node).toBe('collect');
      expect(arrivalTraces).toContainEqual(join.item.trace);
    });
  });
}
