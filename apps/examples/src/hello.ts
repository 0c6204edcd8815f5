/**
 * Hello / terminal node (Rust `terminal_node_example.rs`): one node that is both the start and the terminal
 * node, so its output is the run's output. Input 7 gives 21.
 */
import { node, workflow } from '@floxide/core';
import { z } from 'zod';
import { runMain } from './run-main.js';

const triple = node({
  name: 'triple',
  input: z.number(),
  output: z.number(),
  process: (n) => n * 3,
});

/** A workflow of a single terminal node. */
export const helloWorkflow = workflow({ name: 'hello' }).start(triple).build();

/** Runs the workflow on 7 and returns its output (21). */
export async function main(): Promise<number> {
  return helloWorkflow.run(7);
}

runMain(import.meta.url, main);
