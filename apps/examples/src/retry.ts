/**
 * Retry (Rust `retry_example.rs`): `withRetry` wraps an existing node with a policy. The flaky node fails
 * twice, then succeeds; the engine waits the policy's (abortable) backoff between attempts.
 */
import { node, RetryPolicy, withRetry, workflow } from '@floxide/core';
import { runMain } from './run-main.js';

/** Fails on its first two attempts. `ctx.attempt` counts from 1 and `ctx.itemId` stays the same. */
const flaky = node({
  name: 'flaky',
  process(n: number, ctx) {
    if (ctx.attempt < 3) throw new Error(`transient failure on attempt ${ctx.attempt}`);
    return { value: n * 2, attempts: ctx.attempt };
  },
});

const policy = RetryPolicy.exponential({ maxAttempts: 5, initialDelayMs: 20, maxDelayMs: 200 });

/** The flaky node, retried by the policy. */
export const retryWorkflow = workflow({ name: 'retry' }).start(withRetry(flaky, policy)).build();

/** Runs on 21: succeeds on the third attempt with 42. */
export async function main(): Promise<{ value: number; attempts: number }> {
  return retryWorkflow.run(21);
}

runMain(import.meta.url, main);
