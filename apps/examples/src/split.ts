/**
 * Split (Rust `split_example.rs`): `split` fans one input out into several items (`nextAll`); every item
 * flows on independently, and the first terminal output becomes the run's output.
 */
import { node, split, workflow } from '@floxide/core';
import { runMain } from './run-main.js';

const around = split('around', (n: number) => [n - 1, n, n + 1]);

/** Records what it saw, so `main` can show that every branch ran. */
const seen: number[] = [];
const show = node({
  name: 'show',
  process(n: number) {
    seen.push(n);
    return n;
  },
});
const finish = node({ name: 'finish', process: (n: number) => `first terminal output: ${n}` });

/** around → show → finish, with three items after the split. */
export const splitWorkflow = workflow({ name: 'split' })
  .start(around)
  .edge(around, show)
  .edge(show, finish)
  .build();

/** Runs on 10: returns the run's output (from the first branch) and every value that reached `show`. */
export async function main(): Promise<{ output: string; seen: number[] }> {
  seen.length = 0;
  const output = await splitWorkflow.run(10);
  return { output, seen: [...seen] };
}

runMain(import.meta.url, main);
