/**
 * Distributed, in process (Rust `distributed_example.rs`): the same kind of workflow, run by workers that
 * lease work items from a backend — here the in-memory one, with two workers in this process. A split sends
 * each value to two parallel nodes; each records an event in the run's event log; a join waits for all
 * branches and the terminal node replays the log into a total.
 */
import { context, eventLog, node, split, workflow } from '@floxide/core';
import { DistributedOrchestrator, MemoryBackend, WorkerPool } from '@floxide/distributed';
import { z } from 'zod';
import { runMain } from './run-main.js';

const Ledger = context({ events: eventLog(z.object({ node: z.string(), amount: z.number() })) });

const fan = split('fan', (n: number) => [n, n + 1, n + 2]);

/** Adds its input to the ledger (an event: concurrent branches on any worker never lose one). */
function recorder(name: string, factor: number) {
  return node({
    name,
    context: Ledger,
    process(n: number, ctx) {
      ctx.context.events.append({ node: name, amount: n * factor });
      return n * factor;
    },
  });
}

const a = recorder('a', 1);
const b = recorder('b', 2);

const total = node({
  name: 'total',
  context: Ledger,
  process(values: number[], ctx) {
    const replayed = ctx.context.events.values.reduce((sum, e) => sum + e.amount, 0);
    return { branches: values.length, sum: values.reduce((x, y) => x + y, 0), replayed };
  },
});

/** fan → (a, b) in parallel → total (join of `fan`). */
export const distributedWorkflow = workflow({ name: 'distributed', context: Ledger })
  .start(fan)
  .edge(fan, [a, b])
  .join(total, { from: fan })
  .edge(a, total)
  .edge(b, total)
  .build();

/** Runs input 2 on two in-process workers; 3 values × 2 nodes = 6 branches, sum and replayed total 27. */
export async function main(): Promise<{ branches: number; sum: number; replayed: number; events: number }> {
  const backend = new MemoryBackend();
  const pool = new WorkerPool({ backend, workflows: [distributedWorkflow], size: 2, concurrency: 2 });
  const orchestrator = new DistributedOrchestrator({ backend, workflows: [distributedWorkflow] });
  await pool.start();
  try {
    const runId = await orchestrator.start(distributedWorkflow, 2);
    const run = await orchestrator.wait(runId, { timeoutMs: 10_000 });
    if (run.status !== 'completed') throw new Error(`run ${run.status}: ${run.error?.message ?? ''}`);
    const state = (await orchestrator.context(runId)) as { events: unknown[] };
    const output = run.output as { branches: number; sum: number; replayed: number };
    return { ...output, events: state.events.length };
  } finally {
    await pool.close();
    await backend.close();
  }
}

runMain(import.meta.url, main);
