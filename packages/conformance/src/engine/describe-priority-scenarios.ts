import { describe, expect, it } from 'vitest';
import { isFloxideError, node, workflow } from '@floxide/core';
import type { BackendTestInit } from '../support/backend-test-init.js';
import { waitFor } from '../support/wait-for.js';
import { useEngineHarness } from './engine-harness.js';

/** Priorities: items of higher-priority runs are leased first. */
export function describePriorityScenarios(init: BackendTestInit): void {
  describe('priorities', () => {
    const harness = useEngineHarness(init);

    it('a run started with a higher priority runs before the backlog queued ahead of it', async () => {
      const order: string[] = [];
      let open: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const first = workflow({ name: 'first' })
        .start(node({ name: 'block', process: async () => gate.then(() => 'blocked') }))
        .build();
      const wf = workflow({ name: 'prioritised' })
        .start(
          node({
            name: 'work',
            process: async (label: string) => {
              order.push(label);
              await new Promise((resolve) => setTimeout(resolve, 20));
              return label;
            },
          }),
        )
        .build();
      const orchestrator = harness.orchestrator([first, wf]);
      await harness.startWorker({ workflows: [first, wf], concurrency: 1 });
      const blocker = await orchestrator.start(first, null);
      await waitFor(async () => (await orchestrator.status(blocker)) === 'running', {
        message: 'blocker running',
      });
      const low: string[] = [];
      for (let i = 0; i < 6; i++) low.push(await orchestrator.start(wf, `low-${i}`, { priority: -5 }));
      const normal = await orchestrator.start(wf, 'normal');
      const high = await orchestrator.start(wf, 'high', { priority: 10 });
      open();
      for (const id of [blocker, ...low, normal, high])
        expect((await orchestrator.wait(id, { timeoutMs: 30_000 })).status).toBe('completed');
      // One worker, one slot: the order of first steps is the lease order. A backend may run one item it
      // fetched ahead (e.g. Redis prefetching the next job of a lane on completion) before the priorities.
      expect(order.indexOf('high')).toBeLessThanOrEqual(1);
      expect(order.indexOf('normal')).toBeLessThanOrEqual(2);
      expect(order.filter((l) => l.startsWith('low-'))).toEqual(
        Array.from({ length: 6 }, (_, k) => `low-${k}`),
      );
    });

    it('refuses a priority that is not an integer from -1000 to 1000', async () => {
      const wf = workflow({ name: 'p' })
        .start(node({ name: 'n', process: () => 1 }))
        .build();
      const orchestrator = harness.orchestrator([wf]);
      for (const priority of [1.5, 1001, -1001, Number.NaN]) {
        const error = await orchestrator.start(wf, null, { priority }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isFloxideError(error, 'VALIDATION')).toBe(true);
      }
    });
  });
}
