import { describe, expect, it } from 'vitest';
import { node, Transition, workflow } from '@floxide/core';
import type { BackendTestInit } from '../support/backend-test-init.js';
import { waitFor } from '../support/wait-for.js';
import { useEngineHarness } from './engine-harness.js';

/** A run's input: a label and how many leaves its first step fans out to. */
interface Spread {
  readonly label: string;
  readonly n: number;
}

/** Every step run, in the order they started (`<label>:<node>:<index>`). */
type Trace = string[];

/**
 * `spread` fans out `n` leaves of its label, joined by `collect`; each step appends itself to `trace` as it
 * starts (`collect` as `collect:<count>`).
 */
function backlogWorkflow(trace: Trace) {
  const spread = node({
    name: 'spread',
    process: (input: Spread) => {
      trace.push(`${input.label}:spread:0`);
      return Transition.nextAll(Array.from({ length: input.n }, (_, i) => ({ label: input.label, i })));
    },
  });
  const leaf = node({
    name: 'leaf',
    process: async (x: { label: string; i: number }) => {
      trace.push(`${x.label}:leaf:${x.i}`);
      await new Promise((resolve) => setImmediate(resolve));
      return x.i;
    },
  });
  const collect = node({
    name: 'collect',
    process: (values: number[]) => {
      trace.push(`collect:${values.length}`);
      return values.length;
    },
  });
  return workflow({ name: 'fair-backlog' })
    .start(spread)
    .join(collect, { from: spread })
    .edge(spread, leaf)
    .edge(leaf, collect)
    .build();
}

/** Steps of `label` in `trace`. */
function stepsOf(trace: Trace, label: string): string[] {
  return trace.filter((t) => t.startsWith(`${label}:`));
}

/**
 * Fair share: among runs of equal priority, a run started behind another run's large backlog starts its
 * first step after a bounded number of the backlog's items — not after the backlog; priority still
 * beats fairness; nothing runs twice.
 */
/**
 * The backlog of the first scenario: large enough that a run queued behind it without fair share waits
 * for more than six times the bound (about 1,400 items ahead), small enough for every backend's CI run.
 */
const BACKLOG = 1_500;

export function describeFairShareScenarios(init: BackendTestInit): void {
  describe('fair share', () => {
    const harness = useEngineHarness(init);

    it(`a run started behind a ${BACKLOG}-item backlog of equal priority starts within 200 of its items`, async () => {
      const trace: Trace = [];
      const wf = backlogWorkflow(trace);
      const orchestrator = harness.orchestrator([wf]);
      await harness.startWorker({ workflows: [wf], concurrency: 8 });
      const big = await orchestrator.start(wf, { label: 'big', n: BACKLOG });
      await waitFor(async () => stepsOf(trace, 'big').length > 100, {
        message: 'backlog running',
        timeoutMs: 30_000,
      });
      const startedAt = trace.length;
      const small = await orchestrator.start(wf, { label: 'small', n: 3 });
      expect((await orchestrator.wait(small, { timeoutMs: 60_000 })).status).toBe('completed');
      const firstSmall = trace.indexOf('small:spread:0');
      // Backlog steps started between the start of `small` and its first step: a bounded number (in flight,
      // prefetched, and those tagged ahead of it), never the backlog (about 1,400 without fair share).
      const ahead = trace.slice(startedAt, firstSmall).filter((t) => t.startsWith('big:')).length;
      expect(ahead).toBeLessThanOrEqual(200);
      // `small` finished while most of the backlog was still queued.
      expect(stepsOf(trace, 'big').length).toBeLessThan(BACKLOG - 300);
      // The rest of the backlog: generous, for a loaded machine.
      expect((await orchestrator.wait(big, { timeoutMs: 180_000 })).status).toBe('completed');
      // Nothing ran twice: every step of both runs exactly once.
      expect(new Set(trace.filter((t) => !t.startsWith('collect:'))).size).toBe(trace.length - 2);
      expect(stepsOf(trace, 'big')).toHaveLength(BACKLOG + 1);
      expect(stepsOf(trace, 'small')).toHaveLength(4);
    }, 300_000);

    it('priority still beats fair share: a lower-priority run waits for the higher backlog', async () => {
      const trace: Trace = [];
      const wf = backlogWorkflow(trace);
      const orchestrator = harness.orchestrator([wf]);
      await harness.startWorker({ workflows: [wf], concurrency: 2 });
      const high = await orchestrator.start(wf, { label: 'high', n: 300 }, { priority: 5 });
      await waitFor(async () => stepsOf(trace, 'high').length > 10, { message: 'backlog running' });
      const low = await orchestrator.start(wf, { label: 'low', n: 1 });
      expect((await orchestrator.wait(high, { timeoutMs: 50_000 })).status).toBe('completed');
      expect((await orchestrator.wait(low, { timeoutMs: 20_000 })).status).toBe('completed');
      // The low run's first step comes after the backlog (a backend may run one item it fetched ahead
      // from the lane it was on per slot before looking at priorities again).
      const firstLow = trace.indexOf('low:spread:0');
      const highAfter = trace.slice(firstLow).filter((t) => t.startsWith('high:')).length;
      expect(highAfter).toBeLessThanOrEqual(2);
      expect(new Set(trace.filter((t) => !t.startsWith('collect:'))).size).toBe(trace.length - 2);
      expect(stepsOf(trace, 'high')).toHaveLength(301);
    }, 90_000);
  });
}
