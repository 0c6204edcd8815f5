/**
 * Checkpoint and resume (Rust `checkpoint_example.rs`): with a checkpoint store the local engine saves the
 * run (context, queue, joins) after every step. A run that crashes mid-way is resumed from its last
 * checkpoint and ends with the same output as an uninterrupted run; resuming a completed run is refused.
 */
import { context, counter, isFloxideError, MemoryCheckpointStore, node, workflow } from '@floxide/core';
import { runMain } from './run-main.js';

const Progress = context({ steps: counter() });

/** Simulates a process crash: armed, the next `add-ten` throws once. */
let crashNextTime = false;

const double = node({
  name: 'double',
  context: Progress,
  process(n: number, ctx) {
    ctx.context.steps.add(1);
    return n * 2;
  },
});

const addTen = node({
  name: 'add-ten',
  context: Progress,
  process(n: number, ctx) {
    if (crashNextTime) {
      crashNextTime = false;
      throw new Error('simulated crash');
    }
    ctx.context.steps.add(1);
    return n + 10;
  },
});

const square = node({
  name: 'square',
  context: Progress,
  process(n: number, ctx) {
    ctx.context.steps.add(1);
    return n * n;
  },
});

/** double → add-ten → square. */
export const checkpointWorkflow = workflow({ name: 'checkpoint', context: Progress })
  .start(double)
  .edge(double, addTen)
  .edge(addTen, square)
  .build();

/** What the example shows. */
export interface CheckpointResult {
  readonly uninterrupted: number;
  readonly firstAttempt: string;
  readonly resumed: number;
  /** Steps counted in the resumed run's context: the crashed attempt left no trace, so 3. */
  readonly steps: unknown;
  readonly resumeAfterCompletion: string;
}

/** Runs once cleanly, once with a crash followed by resume, then tries to resume the finished run. */
export async function main(): Promise<CheckpointResult> {
  const uninterrupted = await checkpointWorkflow.run(5);

  const store = new MemoryCheckpointStore();
  crashNextTime = true;
  const firstAttempt = await checkpointWorkflow.run(5, { checkpoint: store, runId: 'order-42' }).then(
    () => 'completed',
    (error: unknown) => (isFloxideError(error) ? `${error.code}: ${error.message}` : String(error)),
  );
  const resumed = await checkpointWorkflow.resume('order-42', { checkpoint: store });
  const steps = ((await store.load('order-42'))?.context as { steps?: unknown } | undefined)?.steps;
  const resumeAfterCompletion = await checkpointWorkflow.resume('order-42', { checkpoint: store }).then(
    () => 'resumed again',
    (error: unknown) => (isFloxideError(error) ? error.code : String(error)),
  );
  return { uninterrupted, firstAttempt, resumed, steps, resumeAfterCompletion };
}

runMain(import.meta.url, main);
