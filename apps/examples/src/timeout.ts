/**
 * Timeout (Rust `timeout_example.rs`): `timeoutMs` bounds each attempt of a node (`TimeoutError`, code
 * TIMEOUT); `deadlineMs` bounds the whole run (code DEADLINE_EXCEEDED) — Rust has only the former.
 */
import { isFloxideError, node, workflow } from '@floxide/core';
import { runMain } from './run-main.js';

const slowStep = node({
  name: 'slow-step',
  timeoutMs: 100,
  async process(n: number, ctx) {
    await ctx.sleep(2_000);
    return n;
  },
});

/** A step that takes 60 ms: well within any per-node bound. */
function pause(name: string) {
  return node({
    name,
    async process(n: number, ctx) {
      await ctx.sleep(60);
      return n + 1;
    },
  });
}

const first = pause('first');
const second = pause('second');
const third = pause('third');

/** A node that takes longer than its own timeout. */
export const nodeTimeoutWorkflow = workflow({ name: 'node-timeout' }).start(slowStep).build();

/** Three 60 ms steps: each one quick, together past a 100 ms run deadline. */
export const deadlineWorkflow = workflow({ name: 'deadline' })
  .start(first)
  .edge(first, second)
  .edge(second, third)
  .build();

/** Returns the error code of each case. */
export async function main(): Promise<{ nodeTimeout: string; runDeadline: string }> {
  // A node that fails for good surfaces as NODE_FAILED with the node's own error as its cause.
  const codeOf = (error: unknown): string => {
    if (!isFloxideError(error)) return String(error);
    return isFloxideError(error.cause) ? `${error.code} (cause: ${error.cause.code})` : error.code;
  };
  const nodeTimeout = await nodeTimeoutWorkflow.run(1).then(() => 'completed', codeOf);
  const runDeadline = await deadlineWorkflow.run(1, { deadlineMs: 100 }).then(() => 'completed', codeOf);
  return { nodeTimeout, runDeadline };
}

runMain(import.meta.url, main);
