import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBackend } from './memory/memory-backend.js';
import { DistributedOrchestrator } from './orchestrator/distributed-orchestrator.js';
import { headlineWorkflow } from './test-support/workflows.js';
import { WorkerPool } from './worker/worker-pool.js';

let pool: WorkerPool | undefined;

afterEach(async () => {
  await pool?.close({ graceMs: 0 });
  pool = undefined;
});

describe('one workflow definition, two engines', () => {
  it.each([{ values: [1, 2, 3] }, { values: Array.from({ length: 40 }, (_, i) => i) }])(
    'fan-out + join + route + context counter give the same output through wf.run and a WorkerPool (%#)',
    async (input) => {
      const local = await headlineWorkflow.run(input);

      const backend = new MemoryBackend();
      const orchestrator = new DistributedOrchestrator({ backend, workflows: [headlineWorkflow] });
      pool = new WorkerPool({
        backend,
        workflows: [headlineWorkflow],
        size: 4,
        concurrency: 2,
        heartbeatMs: 50,
        idleWaitMs: 200,
      });
      await pool.start();
      const runId = await orchestrator.start(headlineWorkflow, input);
      const info = await orchestrator.wait(runId, { timeoutMs: 20_000 });

      expect(info.status).toBe('completed');
      expect(info.output).toEqual(local);
      expect(local).toContain(`hits=${input.values.length}`);
      expect(await orchestrator.context(runId)).toEqual({ hits: input.values.length });
      const metrics = await orchestrator.metrics(runId);
      // split + N squares + sum + classify + one route arm.
      expect(metrics.completed).toBe(input.values.length + 4);
      expect(new Set(pool.ids).size).toBe(4);
    },
  );
});
