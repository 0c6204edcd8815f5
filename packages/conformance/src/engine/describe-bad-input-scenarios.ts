import { describe, expect, it } from 'vitest';
import { isFloxideError, type AnyWorkflow } from '@floxide/core';
import type { DistributedOrchestrator } from '@floxide/distributed';
import type { BackendTestInit } from '../support/backend-test-init.js';
import {
  doubleArrivalWorkflow,
  healthyWorkflow,
  jsonLossyWorkflow,
  nestedJoinWorkflow,
  THROWN_VALUES,
  throwingWorkflow,
  unstorableContextWorkflow,
  unstorableFanOutWorkflow,
  unstorableOutputWorkflow,
  UNSTORABLE_VALUES,
} from './bad-input-workflows.js';
import { useEngineHarness } from './engine-harness.js';

const HEALTHY_RUNS = 5;

/** The message of the error a local run failed with (the local engine wraps it in a NodeError). */
async function localFailure(wf: AnyWorkflow, input: unknown): Promise<{ code: string; message: string }> {
  const error = (await wf.run(input).then(
    () => undefined,
    (e: unknown) => e,
  )) as { cause?: { code: string; message: string } } | undefined;
  if (error?.cause === undefined) throw new Error(`local run of '${wf.name}' did not fail with a cause`);
  return { code: error.cause.code, message: error.cause.message };
}

/** Starts `HEALTHY_RUNS` healthy runs; returns a check that they all complete with the local output. */
async function startHealthy(
  orchestrator: DistributedOrchestrator,
  healthy: AnyWorkflow,
): Promise<() => Promise<void>> {
  const ids = await Promise.all(
    Array.from({ length: HEALTHY_RUNS }, (_, i) => orchestrator.start(healthy, i)),
  );
  return async () => {
    for (const [i, id] of ids.entries()) {
      expect(await orchestrator.wait(id, { timeoutMs: 15_000 })).toMatchObject({
        status: 'completed',
        output: i * 4,
      });
    }
  };
}

/**
 * Bad input fails alone: values JSON cannot carry, non-Error throws, joins after nested fan-outs, and
 * `start` with an existing run id. Each bad run has healthy runs beside it on the same workers.
 */
export function describeBadInputScenarios(init: BackendTestInit): void {
  describe('bad input fails alone', () => {
    const harness = useEngineHarness(init);

    /**
     * `sameFailure` maps both messages before they are compared: for failures whose wording depends on
     * which of several concurrent branches failed first (the local engine always runs branch 0 first).
     */
    async function failsAlone(
      bad: AnyWorkflow,
      input: unknown,
      sameFailure: (message: string) => string = (message) => message,
    ): Promise<{ code: string; message: string }> {
      const healthy = healthyWorkflow();
      const orchestrator = harness.orchestrator([bad, healthy]);
      await harness.startWorker({ workflows: [bad, healthy], concurrency: 4 });
      const runId = await orchestrator.start(bad, input);
      const allHealthy = await startHealthy(orchestrator, healthy);
      const info = await orchestrator.wait(runId, { timeoutMs: 15_000 });
      expect(info.status).toBe('failed');
      await allHealthy();
      const error = info.error as { code: string; message: string };
      // The same failure as the local engine's, and recorded on the item.
      const local = await localFailure(bad, input);
      expect({ code: error.code, message: sameFailure(error.message) }).toEqual({
        code: local.code,
        message: sameFailure(local.message),
      });
      const records = await orchestrator.errors(runId);
      expect(records.at(-1)?.error).toMatchObject({ code: error.code, message: error.message });
      return error;
    }

    it.each(Object.keys(UNSTORABLE_VALUES))(
      'an output that is a %s fails its run with SERIALIZATION, once, naming node and path',
      async (kind) => {
        const error = await failsAlone(unstorableOutputWorkflow(kind), null);
        expect(error.code).toBe('SERIALIZATION');
        expect(error.message).toContain("node 'bad'");
        expect(error.message).toMatch(/output/);
      },
    );

    it('a fan-out value that cannot be stored names its index', async () => {
      const error = await failsAlone(unstorableFanOutWorkflow(), null);
      expect(error.message).toContain('outputs[1]: NaN cannot be stored');
    });

    it('a context value that cannot be stored fails the step, naming the field', async () => {
      const wf = unstorableContextWorkflow();
      const error = await failsAlone(wf, null);
      expect(error.message).toContain('context.status: a Set cannot be stored');
    });

    it.each(Object.keys(THROWN_VALUES))(
      'a node throwing a %s gives the local engine’s message',
      async (kind) => {
        const error = await failsAlone(throwingWorkflow(kind), null);
        expect(error.message).toMatch(/^node 'thrower' threw /);
        expect(error.message).not.toContain('[object Object]');
      },
    );

    it('values JSON changes silently arrive exactly as in the local engine', async () => {
      const wf = jsonLossyWorkflow();
      const orchestrator = harness.orchestrator([wf]);
      await harness.startWorker({ workflows: [wf] });
      const info = await orchestrator.wait(await orchestrator.start(wf, 2), { timeoutMs: 15_000 });
      expect(info.status).toBe('completed');
      expect(info.output).toEqual(await wf.run(2));
      expect(info.output).toEqual({
        seen: { at: '2024-01-02T00:00:00.000Z', list: [null, 2] },
        keys: ['at', 'list'],
      });
    });

    it.each([2, 3])(
      'nested fan-out → inner join → outer join, %i levels, in fan-out order',
      async (levels) => {
        const wf = nestedJoinWorkflow(levels);
        const orchestrator = harness.orchestrator([wf]);
        await harness.startPool({ workflows: [wf], size: 2, concurrency: 4 });
        const info = await orchestrator.wait(await orchestrator.start(wf, 'p'), { timeoutMs: 20_000 });
        expect(info.status).toBe('completed');
        expect(info.output).toEqual(await wf.run('p'));
        const expected =
          levels === 2
            ? ['0', '1'].map((a) => ['0', '1', '2'].map((b) => `P${a}${b}`))
            : ['0', '1'].map((a) =>
                ['0', '1', '2'].map((b) => ['0', '1', '2', '3'].map((c) => `P${a}${b}${c}`)),
              );
        expect(info.output).toEqual(expected);
      },
    );

    it('a branch that fans out again toward the join fails the run with JOIN_BRANCH, never a silent drop', async () => {
      // Both branches fail the same way, in parallel: either may be the one the run reports.
      const error = await failsAlone(doubleArrivalWorkflow(), null, (message) =>
        message.replace(/from branch [01] of/, 'from branch 0|1 of'),
      );
      expect(error.code).toBe('JOIN_BRANCH');
      expect(error.message).toContain("join 'collect'");
      expect(error.message).toContain("node 'split'");
    });

    it('start with an existing run id: same input is idempotent, a different input is RUN_STATE', async () => {
      const wf = healthyWorkflow();
      const orchestrator = harness.orchestrator([wf]);
      const input = { a: 1, b: [1, 2] };
      expect(await orchestrator.start(wf, input, { runId: 'same-id' })).toBe('same-id');
      // Key order does not matter: the inputs are compared as canonical JSON.
      expect(await orchestrator.start(wf, { b: [1, 2], a: 1 }, { runId: 'same-id' })).toBe('same-id');
      await expect(orchestrator.start(wf, { a: 2, b: [1, 2] }, { runId: 'same-id' })).rejects.toSatisfy((e) =>
        isFloxideError(e, 'RUN_STATE'),
      );
      expect((await orchestrator.get('same-id')).input).toEqual(input);
      expect(await harness.backend().queue.pending('same-id')).toHaveLength(1);
    });

    it('an input JSON cannot carry is refused at start, before anything is stored', async () => {
      const wf = healthyWorkflow();
      const orchestrator = harness.orchestrator([wf]);
      await expect(orchestrator.start(wf, { n: 1n }, { runId: 'never' })).rejects.toSatisfy((e) =>
        isFloxideError(e, 'SERIALIZATION'),
      );
      expect(await harness.backend().runs.get('never')).toBeUndefined();
    });
  });
}
