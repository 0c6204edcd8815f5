import { describe, expect, it } from 'vitest';
import type { BackendTestInit } from '../support/backend-test-init.js';
import { waitFor } from '../support/wait-for.js';
import { contextScaleWorkflow } from './context-scale-workflow.js';
import { useEngineHarness } from './engine-harness.js';

const BRANCHES = 200;

/** Sleeps `ms`, ending early (without error) when `signal` aborts. */
function stall(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Context at scale: a wide fan-out whose branches all write every kind of field at once, on 20 concurrent
 * worker slots, with injected retries and stolen leases, ends exact: the counter at N, each event once, the
 * reducer folded once per branch.
 */
export function describeContextScenarios(init: BackendTestInit): void {
  describe('context at scale', () => {
    const harness = useEngineHarness(init);

    it(`${BRANCHES} branches on 20 slots with retries and stolen leases: counter, log and reducer exact`, async () => {
      const failFirst = (i: number) => i % 10 === 0;
      const wf = contextScaleWorkflow({ failFirst });
      let stalls = 0;
      // The same graph, but this worker's branches stall past its leases, which it never extends (to the
      // backend it is a crashed process): other workers take the items over, and its late commits must
      // change nothing.
      const stalling = contextScaleWorkflow({
        failFirst,
        onBranch: async (_i, signal) => {
          stalls += 1;
          await stall(1_500, signal);
        },
      });
      const orchestrator = harness.orchestrator([wf]);
      await harness.startWorker({
        workflows: [stalling],
        id: 'conformance-ctx-crashy',
        concurrency: 5,
        leaseMs: 400,
        heartbeatMs: 60_000,
      });
      const runId = await orchestrator.start(wf, BRANCHES);
      await waitFor(() => stalls >= 1, { message: 'the stalling worker holding a branch' });
      await harness.startPool({ workflows: [wf], size: 3, concurrency: 5, id: 'conformance-ctx' });
      const info = await orchestrator.wait(runId, { timeoutMs: 120_000 });
      expect(info).toMatchObject({
        status: 'completed',
        output: {
          branches: BRANCHES,
          hits: BRANCHES,
          seen: BRANCHES,
          distinct: BRANCHES,
          sum: (BRANCHES * (BRANCHES - 1)) / 2,
        },
      });
      expect(info.output).toEqual(await wf.run(BRANCHES));
      const stored = (await orchestrator.context(runId)) as {
        hits: number;
        seen: { id: string; event: number }[];
        last: string;
        sum: number;
      };
      expect(stored.hits).toBe(BRANCHES);
      expect(stored.sum).toBe((BRANCHES * (BRANCHES - 1)) / 2);
      expect(stored.seen.map((e) => e.event).sort((a, b) => a - b)).toEqual(
        Array.from({ length: BRANCHES }, (_, i) => i),
      );
      expect(stored.last).toMatch(/^b\d+$/);
      const metrics = await orchestrator.metrics(runId);
      expect(metrics?.retries).toBe(BRANCHES / 10);
    });
  });
}
