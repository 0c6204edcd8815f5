/**
 * Human in the loop, distributed (issue 16, signals): the `approval` example's workflow run by workers on the
 * memory backend. The expense waits for `approval` as a parked item (status `'waiting'`, no lease, no worker
 * slot): the worker is closed while it waits, the manager's answer goes in with `orchestrator.signal` (sent
 * twice with one signal id, delivered once), and a new worker finishes the run. A second expense nobody
 * answers times out by the backend's clock and is escalated along the `onFailure` edge.
 */
import { DistributedOrchestrator, DistributedWorker, MemoryBackend } from '@floxide/distributed';
import { approvalWorkflow } from './approval.js';
import { runMain } from './run-main.js';

/** What the example shows. */
export interface DistributedApprovalResult {
  /** The run's status and signal names while it waited with no worker running. */
  readonly waiting: string;
  /** What the two sends of one signal id did. */
  readonly sends: readonly string[];
  readonly approved: unknown;
  readonly unanswered: unknown;
}

/** Runs one answered and one unanswered expense through workers, swapping the worker while one waits. */
export async function main(): Promise<DistributedApprovalResult> {
  const backend = new MemoryBackend();
  const orchestrator = new DistributedOrchestrator({ backend, workflows: [approvalWorkflow] });
  const workerOptions = { backend, workflows: [approvalWorkflow], idleWaitMs: 100 };
  const first = new DistributedWorker(workerOptions);
  let second: DistributedWorker | undefined;
  await first.start();
  try {
    const answered = await orchestrator.start(approvalWorkflow, {
      id: 'exp-1',
      amount: 900,
      answerWithinMs: 60_000,
    });
    let info = await orchestrator.get(answered);
    while (info.status !== 'waiting') {
      await new Promise((resolve) => setTimeout(resolve, 20));
      info = await orchestrator.get(answered);
    }
    // Nothing runs now: the step waits in the backend.
    await first.close();
    const parked = await orchestrator.get(answered);
    const waiting = `${parked.status} for ${(parked.waitingFor ?? []).join(', ')}`;
    const answer = { approved: true, by: 'grace' };
    const sends = [
      (await orchestrator.signal(answered, 'approval', answer, { signalId: 'mail-4711' })).status,
      (await orchestrator.signal(answered, 'approval', answer, { signalId: 'mail-4711' })).status,
    ];
    second = new DistributedWorker(workerOptions);
    await second.start();
    const unanswered = await orchestrator.start(approvalWorkflow, {
      id: 'exp-2',
      amount: 1_200,
      answerWithinMs: 300,
    });
    const [approvedRun, unansweredRun] = await Promise.all([
      orchestrator.wait(answered, { timeoutMs: 10_000 }),
      orchestrator.wait(unanswered, { timeoutMs: 10_000 }),
    ]);
    return { waiting, sends, approved: approvedRun.output, unanswered: unansweredRun.output };
  } finally {
    await first.close();
    await second?.close();
    await backend.close();
  }
}

runMain(import.meta.url, main);
