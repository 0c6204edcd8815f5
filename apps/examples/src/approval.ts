/**
 * Human in the loop (issue 16, signals): an expense over the limit waits for a manager's approval with
 * `Transition.waitFor('approval', { timeoutMs, schema })`. The run stops in the `'waiting'` state (its
 * checkpoint keeps the parked step), and `resume(runId, { checkpoint, deliver })` hands it the manager's
 * answer; a request nobody answers in time takes the `onFailure` edge and is escalated.
 */
import {
  isFloxideError,
  MemoryCheckpointStore,
  node,
  RunWaitingError,
  Transition,
  workflow,
} from '@floxide/core';
import { z } from 'zod';
import { runMain } from './run-main.js';

const Decision = z.object({ approved: z.boolean(), by: z.string() });

interface Expense {
  readonly id: string;
  readonly amount: number;
  /** How long the manager has to answer (ms). */
  readonly answerWithinMs: number;
}

const submit = node({ name: 'submit', process: (expense: Expense) => expense });

const askManager = node({
  name: 'ask-manager',
  // Runs again when the answer arrives: the `waitFor` then resolves to the validated answer.
  process: (expense: Expense) =>
    Transition.waitFor('approval', { timeoutMs: expense.answerWithinMs, schema: Decision }),
});

const decide = node({
  name: 'decide',
  process: (decision: z.infer<typeof Decision>) =>
    decision.approved ? `paid (approved by ${decision.by})` : `refused by ${decision.by}`,
});

const escalate = node({
  name: 'escalate',
  process: (expense: Expense) => `escalated ${expense.id}: no answer in time`,
});

/** submit → ask-manager (waits for 'approval' up to `answerWithinMs`) → decide; on timeout ask-manager → escalate. */
export const approvalWorkflow = workflow({ name: 'approval' })
  .start(submit)
  .edge(submit, askManager)
  .edge(askManager, decide)
  .onFailure(askManager, escalate)
  .build();

/** What the example shows. */
export interface ApprovalResult {
  /** `wf.run` of a request stops waiting: the code and signal names of its `RunWaitingError`. */
  readonly parked: string;
  readonly status: string | undefined;
  /** A payload the schema refuses: the run keeps waiting. */
  readonly badAnswer: string;
  readonly approved: string;
  /** A request nobody answered within the timeout. */
  readonly unanswered: string;
}

const describeError = (error: unknown): string =>
  isFloxideError(error) ? `${error.code}: ${error.message}` : String(error);

/** Runs one request that is approved (after a malformed answer) and one that nobody answers. */
export async function main(): Promise<ApprovalResult> {
  const store = new MemoryCheckpointStore();
  const parked = await approvalWorkflow
    .run({ id: 'exp-1', amount: 900, answerWithinMs: 60_000 }, { runId: 'exp-1', checkpoint: store })
    .then(
      () => 'completed',
      (error: unknown) =>
        error instanceof RunWaitingError ? `${error.code} ${error.signals.join(',')}` : describeError(error),
    );
  const status = (await store.load('exp-1'))?.status;
  const badAnswer = await approvalWorkflow
    .resume('exp-1', { checkpoint: store, deliver: { name: 'approval', payload: { approved: 'sure' } } })
    .then(() => 'completed', describeError);
  const approved = await approvalWorkflow.resume('exp-1', {
    checkpoint: store,
    deliver: { name: 'approval', payload: { approved: true, by: 'grace' } },
  });

  await approvalWorkflow
    .run({ id: 'exp-2', amount: 5_000, answerWithinMs: 20 }, { runId: 'exp-2', checkpoint: store })
    .catch((error: unknown) => {
      if (!(error instanceof RunWaitingError)) throw error;
    });
  await new Promise((resolve) => setTimeout(resolve, 40));
  const unanswered = await approvalWorkflow.resume('exp-2', { checkpoint: store });
  return { parked, status, badAnswer, approved, unanswered };
}

runMain(import.meta.url, main);
