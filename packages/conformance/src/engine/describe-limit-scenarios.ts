import { describe, expect, it } from 'vitest';
import { node, workflow } from '@floxide/core';
import type { BackendTestInit } from '../support/backend-test-init.js';
import { useEngineHarness } from './engine-harness.js';

/** Steps of one workflow in flight at once, and the most seen. */
class InFlight {
  now = 0;
  max = 0;

  enter(): void {
    this.now += 1;
    this.max = Math.max(this.max, this.now);
  }

  leave(): void {
    this.now -= 1;
  }
}

/** `maxConcurrency`: the backend's claim never leases more items of a workflow version than its limit. */
export function describeLimitScenarios(init: BackendTestInit): void {
  describe('maxConcurrency', () => {
    const harness = useEngineHarness(init);

    it('three workers with 3 slots each never run more than 2 steps of a workflow limited to 2', async () => {
      const limited = new InFlight();
      const free = new InFlight();
      const step = (probe: InFlight) =>
        node({
          name: 'work',
          process: async (x: number) => {
            probe.enter();
            await new Promise((resolve) => setTimeout(resolve, 60));
            probe.leave();
            return x + 1;
          },
        });
      const capped = workflow({ name: 'capped', maxConcurrency: 2 }).start(step(limited)).build();
      const open = workflow({ name: 'open' }).start(step(free)).build();
      const orchestrator = harness.orchestrator([capped, open]);
      for (let w = 0; w < 3; w++) await harness.startWorker({ workflows: [capped, open], concurrency: 3 });
      const runs = await Promise.all(
        Array.from({ length: 24 }, (_, i) => orchestrator.start(i % 2 === 0 ? capped : open, i)),
      );
      for (const [i, runId] of runs.entries())
        expect(await orchestrator.wait(runId, { timeoutMs: 60_000 })).toMatchObject({
          status: 'completed',
          output: i + 1,
        });
      expect(limited.max).toBe(2);
      // The other workflow of the same workers is not held to the limit.
      expect(free.max).toBeGreaterThan(2);
    });
  });
}
