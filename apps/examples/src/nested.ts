/**
 * Nested workflow (Rust `nested_workflow_example.rs`): `subflow` turns a whole workflow into one node of
 * another. The inner workflow doubles then adds ten; the outer one prepares, runs it, and formats.
 */
import { node, subflow, workflow } from '@floxide/core';
import { runMain } from './run-main.js';

const double = node({ name: 'double', process: (n: number) => n * 2 });
const addTen = node({ name: 'add-ten', process: (n: number) => n + 10 });

/** The inner workflow: n → 2n + 10. */
export const innerWorkflow = workflow({ name: 'inner' }).start(double).edge(double, addTen).build();

const prepare = node({ name: 'prepare', process: (text: string) => Number.parseInt(text, 10) });
const inner = subflow('inner', innerWorkflow);
const format = node({ name: 'format', process: (n: number) => `result: ${n}` });

/** The outer workflow: parse → inner workflow → format. */
export const outerWorkflow = workflow({ name: 'outer' })
  .start(prepare)
  .edge(prepare, inner)
  .edge(inner, format)
  .build();

/** Runs the outer workflow on "16": 16 → 42. */
export async function main(): Promise<string> {
  return outerWorkflow.run('16');
}

runMain(import.meta.url, main);
