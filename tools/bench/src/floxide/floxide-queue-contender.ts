import { DistributedOrchestrator, DistributedWorker, type Backend } from '@floxide/distributed';
import type { ContenderEnv, QueueContender } from '../workers/queue-contender.js';
import { floxideQueueChain, type ChainPayload } from './queue-chain-workflow.js';

/** How a Floxide contender makes its backend, and what it removes afterwards. */
export interface FloxideBackendFactory {
  /** A backend for the orchestrating side (migrations, if any, run here). */
  forOrchestrator(env: ContenderEnv): Promise<Backend>;
  /** A backend for the worker process. */
  forWorker(env: ContenderEnv): Promise<Backend>;
  /** Removes what the backend stored, after it was closed. */
  cleanup(env: ContenderEnv): Promise<void>;
}

/** Checks every run completed with its own index as output (`{ run }`); returns problems found. */
export async function verifyRuns(orchestrator: DistributedOrchestrator, runs: number): Promise<string[]> {
  const seen = new Set<number>();
  const otherStatuses = new Map<string, number>();
  let cursor: string | undefined;
  do {
    const page = await orchestrator.runs({ limit: 1_000, ...(cursor === undefined ? {} : { cursor }) });
    for (const run of page.runs) {
      if (run.status === 'completed') seen.add((run.output as ChainPayload | undefined)?.run ?? -1);
      else otherStatuses.set(run.status, (otherStatuses.get(run.status) ?? 0) + 1);
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  const problems = [...otherStatuses].map(([status, n]) => `${n} run(s) ${status}`);
  let missing = 0;
  for (let i = 0; i < runs; i++) if (!seen.has(i)) missing++;
  if (missing > 0) problems.push(`${missing} run(s) without their completed output`);
  return problems;
}

/**
 * A queue contender running the chain on a Floxide backend: the orchestrator starts runs, one
 * `DistributedWorker` at the scenario's concurrency runs them, with strands on or off.
 */
export function floxideQueueContender(options: {
  readonly id: string;
  readonly label: string;
  readonly backends: FloxideBackendFactory;
  /** The worker's `strands` option (`false` = the queue-only mode, `pnpm bench --strands off|both`). */
  readonly strands: boolean;
}): QueueContender {
  const { backends } = options;
  return {
    id: options.id,
    label: options.label,
    async open(env) {
      const backend = await backends.forOrchestrator(env);
      const wf = floxideQueueChain(env.stepsPerRun);
      const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
      return {
        async enqueueRuns(first, count) {
          // The batch start, as each peer enqueues with its own (BullMQ addBulk, Graphile addJobs, pg-boss insert).
          await orchestrator.startMany(
            wf,
            Array.from({ length: count }, (_, i) => ({ input: { run: first + i } })),
          );
        },
        verify: (runs) => verifyRuns(orchestrator, runs),
        async destroy() {
          await backend.close();
          await backends.cleanup(env);
        },
      };
    },
    async startWorker(env, probe) {
      const backend = await backends.forWorker(env);
      const worker = new DistributedWorker({
        backend,
        workflows: [floxideQueueChain(env.stepsPerRun, probe)],
        concurrency: env.concurrency,
        strands: options.strands,
      });
      await worker.start();
      return {
        async close() {
          await worker.close({ graceMs: 5_000 });
          await backend.close();
        },
      };
    },
  };
}
