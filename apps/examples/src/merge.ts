/**
 * Merge / join (Rust `merge_example.rs`): Rust builds the join by hand (hold until enough values arrived
 * in shared state). Here `join` is a primitive: the join node waits for every branch of the fan-out and
 * receives their outputs in fan-out order, whatever order the branches finished in.
 */
import { node, split, workflow } from '@floxide/core';
import { runMain } from './run-main.js';

const around = split('around', (n: number) => [n - 1, n, n + 1]);

/** Each branch takes a different time, so they finish out of order. */
const slow = node({
  name: 'slow',
  async process(n: number, ctx) {
    await ctx.sleep((12 - n) * 10);
    return n;
  },
});

const collect = node({ name: 'collect', process: (values: number[]) => values });

/** around → slow (×3, in parallel) → collect (join of `around`). */
export const mergeWorkflow = workflow({ name: 'merge' })
  .start(around)
  .edge(around, slow)
  .join(collect, { from: around })
  .edge(slow, collect)
  .build();

/** Runs on 10 with three branches in parallel: returns [9, 10, 11]. */
export async function main(): Promise<number[]> {
  return mergeWorkflow.run(10, { concurrency: 3 });
}

runMain(import.meta.url, main);
