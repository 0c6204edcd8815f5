/**
 * Distributed orchestrated merge (Rust `distributed_orchestrated_merge_example.rs`): a pool of three
 * workers, a split into ten values, a node that fails 30% of its attempts, and a join. In Rust the failing
 * node kills the run and the example loops `resume`; here each failure is a durable delayed retry (a work
 * item in the backend, not a timer in a worker), so the run simply completes — and a retry-failed fallback
 * covers the unlikely case that a value exhausts all its attempts.
 */
import { node, RetryPolicy, split, workflow } from '@floxide/core';
import { DistributedOrchestrator, MemoryBackend, WorkerPool } from '@floxide/distributed';
import { runMain } from './run-main.js';

/** Fails about 30% of attempts, decided by (item id, attempt) so runs are reproducible. */
function unlucky(itemId: string, attempt: number): boolean {
  let hash = 2_166_136_261;
  for (const ch of `${itemId}#${attempt}`) hash = Math.imul(hash ^ ch.charCodeAt(0), 16_777_619);
  return (hash >>> 0) % 10 < 3;
}

const spread = split('spread', (count: number) => Array.from({ length: count }, (_, i) => i));

const scale = node({
  name: 'scale',
  retry: RetryPolicy.fixed({ maxAttempts: 8, initialDelayMs: 5 }),
  process(n: number, ctx) {
    if (unlucky(ctx.itemId, ctx.attempt)) throw new Error(`random failure on ${n}`);
    return n * 10;
  },
});

const merge = node({ name: 'merge', process: (values: number[]) => values });

/** spread → scale (×10, flaky, retried) → merge (join of `spread`). */
export const mergeWorkflow = workflow({ name: 'distributed-merge' })
  .start(spread)
  .edge(spread, scale)
  .join(merge, { from: spread })
  .edge(scale, merge)
  .build();

/**
 * Runs with 10 values on a pool of 3 workers; returns the merged output, the retries it took and the
 * failed attempts recorded. The fixed run id makes the item ids, and so the failures, reproducible.
 */
export async function main(): Promise<{ output: number[]; retries: number; failedAttempts: number }> {
  const backend = new MemoryBackend();
  const pool = new WorkerPool({ backend, workflows: [mergeWorkflow], size: 3, concurrency: 2 });
  const orchestrator = new DistributedOrchestrator({ backend, workflows: [mergeWorkflow] });
  await pool.start();
  try {
    const runId = await orchestrator.start(mergeWorkflow, 10, { runId: 'distributed-merge-example' });
    let run = await orchestrator.wait(runId, { timeoutMs: 20_000 });
    for (let round = 0; run.status === 'failed' && round < 3; round++) {
      await orchestrator.retryFailed(runId);
      run = await orchestrator.wait(runId, { timeoutMs: 20_000 });
    }
    if (run.status !== 'completed') throw new Error(`run ${run.status}: ${run.error?.message ?? ''}`);
    const metrics = await orchestrator.metrics(runId);
    const errors = await orchestrator.errors(runId);
    return { output: run.output as number[], retries: metrics.retries, failedAttempts: errors.length };
  } finally {
    await pool.close();
    await backend.close();
  }
}

runMain(import.meta.url, main);
