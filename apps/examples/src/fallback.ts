/**
 * Fallback on failure (Rust `error_fallback_macro.rs`): when a node fails for good, `onFailure` sends its
 * original input to a fallback node instead of failing the run.
 */
import { node, workflow } from '@floxide/core';
import { runMain } from './run-main.js';

const fail = node({
  name: 'fail',
  process(input: string): string {
    throw new Error(`cannot process "${input}"`);
  },
});

const recovery = node({ name: 'recovery', process: (input: string) => `recovered (input was "${input}")` });

/** fail, falling back to recovery. */
export const fallbackWorkflow = workflow({ name: 'fallback' }).start(fail).onFailure(fail, recovery).build();

/** Returns the fallback's output. */
export async function main(): Promise<string> {
  return fallbackWorkflow.run('hello');
}

runMain(import.meta.url, main);
