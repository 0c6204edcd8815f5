/**
 * Durable timer (issue 16, no Rust counterpart): `draft` returns `Transition.next(message, { delayMs })`, so
 * `send` runs 1.5 s later. The wait is a delayed item in the backend: the worker that ran `draft` is closed
 * while the run sleeps and a new one, started afterwards, sends the reminder on time.
 */
import { node, Transition, workflow } from '@floxide/core';
import { DistributedOrchestrator, DistributedWorker, MemoryBackend } from '@floxide/distributed';
import { runMain } from './run-main.js';

/** How long the reminder waits. */
export const REMINDER_DELAY_MS = 1_500;

const draft = node({
  name: 'draft',
  process: (to: string) =>
    Transition.next({ to, text: `Reminder for ${to}` }, { delayMs: REMINDER_DELAY_MS }),
});

const send = node({
  name: 'send',
  process: (message: { to: string; text: string }) => ({ ...message, sentAt: Date.now() }),
});

/** draft → (durable timer) → send. */
export const reminderWorkflow = workflow({ name: 'reminder' }).start(draft).edge(draft, send).build();

/** Starts a reminder, swaps the worker while it sleeps, and reports when it was sent. */
export async function main(): Promise<{ text: string; waitedMs: number; sleptWithoutWorker: boolean }> {
  const backend = new MemoryBackend();
  const orchestrator = new DistributedOrchestrator({ backend, workflows: [reminderWorkflow] });
  const first = new DistributedWorker({ backend, workflows: [reminderWorkflow], idleWaitMs: 100 });
  let second: DistributedWorker | undefined;
  await first.start();
  try {
    const startedAt = Date.now();
    const runId = await orchestrator.start(reminderWorkflow, 'ada');
    let info = await orchestrator.get(runId);
    while (info.waitingUntil === undefined && info.status === 'running') {
      await new Promise((resolve) => setTimeout(resolve, 20));
      info = await orchestrator.get(runId);
    }
    await first.close();
    // No worker at all now: the run sleeps in the backend, holding nothing.
    const sleptWithoutWorker =
      info.waitingUntil !== undefined && (await orchestrator.status(runId)) === 'running';
    second = new DistributedWorker({ backend, workflows: [reminderWorkflow], idleWaitMs: 100 });
    await second.start();
    const run = await orchestrator.wait(runId, { timeoutMs: 10_000 });
    if (run.status !== 'completed') throw new Error(`run ${run.status}: ${run.error?.message ?? ''}`);
    const output = run.output as { text: string; sentAt: number };
    return { text: output.text, waitedMs: output.sentAt - startedAt, sleptWithoutWorker };
  } finally {
    await first.close();
    await second?.close();
    await backend.close();
  }
}

runMain(import.meta.url, main);
