import { z } from 'zod';
import { context, counter, eventLog, node, Transition, workflow } from '@floxide/core';
import { DistributedOrchestrator, DistributedWorker, type Backend } from '@floxide/distributed';

/** The P11 context: a counter every branch adds to and an event log every branch appends to. */
const FanContext = context({ hits: counter(), seen: eventLog(z.number()) });

/** What a P11 run reports from its join, for the correctness check. */
export interface FanOutReport {
  readonly branches: number;
  readonly hits: number;
  readonly seen: number;
}

/** `fan` → N × `branch` → `join`; with `withContext`, each branch does `hits.add(1)` and `seen.append(i)`. */
export function contextFanOutWorkflow(withContext: boolean) {
  const fan = node({
    name: 'fan',
    process: (n: number) => Transition.nextAll(Array.from({ length: n }, (_, i) => i)),
  });
  if (!withContext) {
    const branch = node({ name: 'branch', process: (i: number) => i });
    const join = node({
      name: 'join',
      process: (values: number[]): FanOutReport => ({ branches: values.length, hits: 0, seen: 0 }),
    });
    return workflow({ name: 'bench-p11-plain', version: 1 })
      .start(fan)
      .join(join, { from: fan })
      .edge(fan, branch)
      .edge(branch, join)
      .build();
  }
  const branch = node({
    name: 'branch',
    context: FanContext,
    process(i: number, ctx) {
      ctx.context.hits.add(1);
      ctx.context.seen.append(i);
      return i;
    },
  });
  const join = node({
    name: 'join',
    context: FanContext,
    process: (values: number[], ctx): FanOutReport => ({
      branches: values.length,
      hits: ctx.context.hits.value,
      seen: ctx.context.seen.values.length,
    }),
  });
  return workflow({ name: 'bench-p11-context', version: 1, context: FanContext })
    .start(fan)
    .join(join, { from: fan })
    .edge(fan, branch)
    .edge(branch, join)
    .build();
}

/** Timing and outcome of one P11 run. */
export interface FanOutResult {
  readonly ms: number;
  readonly problems: readonly string[];
}

/**
 * One fan-out run of `n` branches on `backend`, with one in-process worker at `concurrency`: timed from
 * `start` to `wait` resolving, then checked (completed; with context, counter and log exactly `n`).
 */
export async function runContextFanOut(
  backend: Backend,
  options: {
    readonly n: number;
    readonly withContext: boolean;
    readonly concurrency: number;
    /** How long to wait for the run (default 10 minutes). */
    readonly timeoutMs?: number;
  },
): Promise<FanOutResult> {
  const wf = contextFanOutWorkflow(options.withContext);
  const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
  const worker = new DistributedWorker({ backend, workflows: [wf], concurrency: options.concurrency });
  // The run is queued before the worker starts, so an idle worker's wake-up delay is not timed.
  const started = performance.now();
  const runId = await orchestrator.start(wf, options.n);
  await worker.start();
  try {
    const problems: string[] = [];
    let info;
    try {
      info = await orchestrator.wait(runId, { timeoutMs: options.timeoutMs ?? 600_000 });
    } catch (error) {
      // A run past the time limit is a finding to report beside the others, not a crash of the scenario.
      problems.push(`N = ${options.n}: ${error instanceof Error ? error.message : String(error)}`);
      return { ms: Number.NaN, problems };
    }
    const ms = performance.now() - started;
    const report = info.output as FanOutReport | undefined;
    if (info.status !== 'completed') problems.push(`run ${info.status}`);
    else if (report?.branches !== options.n)
      problems.push(`${report?.branches} of ${options.n} branches joined`);
    else if (options.withContext && (report.hits !== options.n || report.seen !== options.n))
      problems.push(`context hits ${report.hits}, events ${report.seen}, expected ${options.n} each`);
    return { ms, problems };
  } finally {
    await worker.close({ graceMs: 5_000 });
  }
}
