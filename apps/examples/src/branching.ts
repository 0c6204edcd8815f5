/**
 * Branching (Rust `branching_example.rs`): a node's output is a tagged union and `route` sends each variant
 * to its own successor — `above` numbers to `big`, `below` ones to `small`. Both arms end the run.
 */
import { node, workflow } from '@floxide/core';
import { z } from 'zod';
import { runMain } from './run-main.js';

type Classified = { kind: 'above'; value: number } | { kind: 'below'; text: string };

const classify = node({
  name: 'classify',
  input: z.number(),
  process: (n): Classified => (n > 10 ? { kind: 'above', value: n } : { kind: 'below', text: `only ${n}` }),
});

const big = node({
  name: 'big',
  process: (out: { kind: 'above'; value: number }) => `big: ${out.value}`,
});

const small = node({
  name: 'small',
  process: (out: { kind: 'below'; text: string }) => `small: ${out.text}`,
});

/** classify → (above → big | below → small). */
export const branchingWorkflow = workflow({ name: 'branching' })
  .start(classify)
  .route(classify, 'kind', { above: big, below: small })
  .build();

/** Runs 42 and 3: one through each arm. */
export async function main(): Promise<string[]> {
  return [await branchingWorkflow.run(42), await branchingWorkflow.run(3)];
}

runMain(import.meta.url, main);
