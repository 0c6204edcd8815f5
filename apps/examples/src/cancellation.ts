/**
 * Cancellation (Rust `cancellation_example.rs`): the caller's AbortSignal cancels the run. The node is
 * sleeping through `ctx.sleep`, which is abortable, so the run ends at once with `CancelledError` instead
 * of waiting the full two seconds.
 */
import { isFloxideError, node, workflow } from '@floxide/core';
import { runMain } from './run-main.js';

const slow = node({
  name: 'slow',
  async process(n: number, ctx) {
    await ctx.sleep(2_000);
    return n;
  },
});

/** One slow node. */
export const cancellationWorkflow = workflow({ name: 'cancellation' }).start(slow).build();

/** Cancels after 100 ms; returns the error code and how long the run took. */
export async function main(): Promise<{ error: string; stoppedWithinMs: number }> {
  const controller = new AbortController();
  const started = Date.now();
  const timer = setTimeout(() => controller.abort(), 100);
  try {
    await cancellationWorkflow.run(1, { signal: controller.signal });
    return { error: 'none', stoppedWithinMs: Date.now() - started };
  } catch (error) {
    const elapsed = Date.now() - started;
    // Round up to the next 500 ms so the printed result is stable from run to run.
    return {
      error: isFloxideError(error) ? error.code : String(error),
      stoppedWithinMs: Math.ceil(elapsed / 500) * 500,
    };
  } finally {
    clearTimeout(timer);
  }
}

runMain(import.meta.url, main);
