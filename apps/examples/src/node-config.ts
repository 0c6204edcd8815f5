/**
 * Node with configuration (Rust `node_macro_example.rs`): a node factory closes over its settings
 * (`factor`), the way the Rust `node!` macro gives a struct fields. Two configured nodes form a linear
 * workflow; a context counter records how many multiplications ran.
 */
import { context, counter, MemoryCheckpointStore, node, workflow } from '@floxide/core';
import { z } from 'zod';
import { runMain } from './run-main.js';

const Stats = context({ multiplications: counter() });

/** A node that multiplies its input by `factor`; each call counts in the context. */
function multiplier(name: string, factor: number) {
  return node({
    name,
    input: z.number(),
    output: z.number(),
    context: Stats,
    process(n, ctx) {
      ctx.context.multiplications.add(1);
      return n * factor;
    },
  });
}

const double = multiplier('double', 2);
const tenfold = multiplier('tenfold', 10);

/** `double` then `tenfold`: 3 → 60. */
export const nodeConfigWorkflow = workflow({ name: 'node-config', context: Stats })
  .start(double)
  .edge(double, tenfold)
  .build();

/** Runs on 3; returns the output and the context counter read back from the run's checkpoint. */
export async function main(): Promise<{ output: number; multiplications: unknown }> {
  const checkpoint = new MemoryCheckpointStore();
  const output = await nodeConfigWorkflow.run(3, { checkpoint, runId: 'node-config-1' });
  const state = (await checkpoint.load('node-config-1'))?.context as
    { multiplications?: unknown } | undefined;
  return { output, multiplications: state?.multiplications };
}

runMain(import.meta.url, main);
