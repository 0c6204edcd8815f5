/**
 * Batch (Rust `batch_example.rs`): `batch` runs an inner node over a list, `size` items at a time, and
 * returns the outputs in input order; a route on the sum picks the next node.
 */
import { batch, node, workflow } from '@floxide/core';
import { runMain } from './run-main.js';

const double = node({ name: 'double', process: (n: number) => n * 2 });
const doubleAll = batch('double-all', double, 2);

type Sized =
  { size: 'large'; total: number; values: number[] } | { size: 'small'; total: number; values: number[] };

const measure = node({
  name: 'measure',
  process(values: number[]): Sized {
    const total = values.reduce((a, b) => a + b, 0);
    return total > 20 ? { size: 'large', total, values } : { size: 'small', total, values };
  },
});
const large = node({
  name: 'large',
  process: (s: Sized) => `large batch ${JSON.stringify(s.values)} (sum ${s.total})`,
});
const small = node({
  name: 'small',
  process: (s: Sized) => `small batch ${JSON.stringify(s.values)} (sum ${s.total})`,
});

/** double-all → measure → (large | small). */
export const batchWorkflow = workflow({ name: 'batch' })
  .start(doubleAll)
  .edge(doubleAll, measure)
  .route(measure, 'size', { large, small })
  .build();

/** Runs two lists: one ends large, one small. */
export async function main(): Promise<string[]> {
  return [await batchWorkflow.run([1, 2, 3, 4, 5]), await batchWorkflow.run([1, 2])];
}

runMain(import.meta.url, main);
