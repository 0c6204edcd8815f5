import { describe, expect, it } from 'vitest';
import { isFloxideError, node, workflow } from '@floxide/core';
import { START_MANY_CHUNK, type DistributedOrchestrator } from '@floxide/distributed';
import { z } from 'zod';
import type { BackendTestInit } from '../support/backend-test-init.js';
import { rejection } from '../support/rejection.js';
import { useEngineHarness } from './engine-harness.js';

/** `double`: one node doubling a number input (the schema refuses anything else). */
function doubleWorkflow() {
  const double = node({ name: 'double', input: z.number(), process: (n) => n * 2 });
  return workflow({ name: 'conformance-start-many', version: 1 }).start(double).build();
}

/** Whether the orchestrator knows a run with this id. */
async function exists(orchestrator: DistributedOrchestrator, runId: string): Promise<boolean> {
  const error = await rejection(orchestrator.get(runId));
  if (error === undefined) return true;
  if (isFloxideError(error, 'RUN_NOT_FOUND')) return false;
  throw error;
}

/**
 * `orchestrator.startMany`: runs started in batches, every entry validated before anything is stored,
 * idempotent by run id like `start`, conflicts named.
 */
export function describeStartManyScenarios(init: BackendTestInit): void {
  describe('startMany', () => {
    const harness = useEngineHarness(init);

    it('starts one run per entry across several backend batches; ids in order; every run completes once', async () => {
      const wf = doubleWorkflow();
      const orchestrator = harness.orchestrator([wf]);
      const count = START_MANY_CHUNK + 40;
      // Every other entry chooses its run id; the rest get generated ones.
      const entries = Array.from({ length: count }, (_, i) =>
        i % 2 === 0 ? { input: i, runId: `many-${i}` } : { input: i },
      );
      const ids = await orchestrator.startMany(wf, entries);
      expect(ids).toHaveLength(count);
      expect(new Set(ids).size).toBe(count);
      ids.forEach((id, i) => {
        if (i % 2 === 0) expect(id).toBe(`many-${i}`);
      });
      await harness.startWorker({ workflows: [wf], concurrency: 8 });
      const infos = await Promise.all(ids.map((id) => orchestrator.wait(id, { timeoutMs: 60_000 })));
      infos.forEach((info, i) => {
        expect(info.status).toBe('completed');
        expect(info.input).toBe(i);
        expect(info.output).toBe(i * 2);
      });
    }, 120_000);

    it('validates every entry before it stores any: the error names the bad entry', async () => {
      const wf = doubleWorkflow();
      const orchestrator = harness.orchestrator([wf]);
      const entries = [0, 1, 2, 3].map((i) => ({ input: i, runId: `checked-${i}` }));
      const cases: [unknown[], number][] = [
        [[...entries.slice(0, 2), { input: 'two', runId: 'checked-2' }, entries[3]], 2],
        [[entries[0], { input: 1, runId: 'checked-1', priority: 1.5 }, ...entries.slice(2)], 1],
        [[...entries.slice(0, 3), null], 3],
        [[...entries.slice(0, 3), { runId: 'checked-3' }], 3],
      ];
      for (const [bad, index] of cases) {
        const error = await rejection(orchestrator.startMany(wf, bad as never));
        expect(isFloxideError(error, 'VALIDATION')).toBe(true);
        expect((error as Error).message).toContain(`startMany entry ${index}`);
      }
      expect(isFloxideError(await rejection(orchestrator.startMany(wf, 'x' as never)), 'VALIDATION')).toBe(
        true,
      );
      for (const entry of entries) expect(await exists(orchestrator, entry.runId)).toBe(false);
    });

    it('is idempotent by run id; an entry whose id names another run is a RunStateError and the rest start', async () => {
      const wf = doubleWorkflow();
      const orchestrator = harness.orchestrator([wf]);
      const first = [
        { input: 1, runId: 'same-a' },
        { input: 2, runId: 'same-b' },
      ];
      expect(await orchestrator.startMany(wf, first)).toEqual(['same-a', 'same-b']);
      // Again: nothing new, no error.
      expect(await orchestrator.startMany(wf, first)).toEqual(['same-a', 'same-b']);
      const error = await rejection(
        orchestrator.startMany(wf, [
          { input: 1, runId: 'same-a' },
          { input: 20, runId: 'same-b' },
          { input: 3, runId: 'same-c' },
        ]),
      );
      expect(isFloxideError(error, 'RUN_STATE')).toBe(true);
      expect((error as Error).message).toContain('same-b');
      expect((error as Error).message).not.toContain('same-a');
      expect((await orchestrator.get('same-b')).input).toBe(2);
      expect((await orchestrator.get('same-c')).input).toBe(3);
      // Two conflicts: one error naming both.
      const two = await rejection(
        orchestrator.startMany(wf, [
          { input: 10, runId: 'same-a' },
          { input: 20, runId: 'same-b' },
        ]),
      );
      expect(isFloxideError(two, 'RUN_STATE')).toBe(true);
      expect((two as Error).message).toMatch(/2 entries.*same-a.*same-b/);
    });

    it('a run id given twice in one call is one run; with another input the second entry is refused', async () => {
      const wf = doubleWorkflow();
      const orchestrator = harness.orchestrator([wf]);
      const ids = await orchestrator.startMany(wf, [
        { input: 5, runId: 'twice' },
        { input: 5, runId: 'twice' },
      ]);
      expect(ids).toEqual(['twice', 'twice']);
      await harness.startWorker({ workflows: [wf] });
      expect((await orchestrator.wait('twice', { timeoutMs: 30_000 })).output).toBe(10);
      const error = await rejection(
        orchestrator.startMany(wf, [
          { input: 6, runId: 'twice-2' },
          { input: 7, runId: 'twice-2' },
        ]),
      );
      expect(isFloxideError(error, 'RUN_STATE')).toBe(true);
      expect((await orchestrator.get('twice-2')).input).toBe(6);
      expect(await orchestrator.startMany(wf, [])).toEqual([]);
    });
  });
}
