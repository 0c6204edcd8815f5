import { DistributedOrchestrator, DistributedWorker, MemoryBackend } from '@floxide/distributed';
import { StepProbe } from '../workers/step-probe.js';
import { floxideQueueChain } from './queue-chain-workflow.js';

/** Result of {@link runMemoryChain}. */
export interface MemoryChainResult {
  readonly stepsPerSec: number;
  readonly steps: number;
  readonly runsDone: number;
  readonly problems: readonly string[];
}

/**
 * The chain workload on `MemoryBackend`, all in this process (the memory backend is single-process by
 * design): `runs` runs started, then one worker at `concurrency`; throughput over a window of steps.
 */
export async function runMemoryChain(options: {
  readonly runs: number;
  readonly stepsPerRun: number;
  readonly concurrency: number;
  readonly window: { readonly fromSteps: number; readonly toSteps: number; readonly finish: boolean };
}): Promise<MemoryChainResult> {
  const backend = new MemoryBackend();
  const probe = new StepProbe({ stepsPerRun: options.stepsPerRun, recordLatency: false });
  const orchestratorWf = floxideQueueChain(options.stepsPerRun);
  const orchestrator = new DistributedOrchestrator({ backend, workflows: [orchestratorWf] });
  for (let first = 0; first < options.runs; first += 1_000) {
    const count = Math.min(1_000, options.runs - first);
    await Promise.all(
      Array.from({ length: count }, (_, i) => orchestrator.start(orchestratorWf, { run: first + i })),
    );
  }
  const worker = new DistributedWorker({
    backend,
    workflows: [floxideQueueChain(options.stepsPerRun, probe)],
    concurrency: options.concurrency,
  });
  const total = options.runs * options.stepsPerRun;
  const fromSteps = Math.min(total, options.window.fromSteps);
  const toSteps = Math.min(total, options.window.toSteps);
  // The probe stamps the window's edges itself: polling would be too coarse for an in-process backend.
  probe.markSteps([fromSteps, toSteps]);
  const until = async (done: () => boolean): Promise<void> => {
    while (!done()) await new Promise((resolve) => setTimeout(resolve, 10));
  };
  await worker.start();
  try {
    await until(() => probe.markTime(toSteps) !== undefined);
    if (options.window.finish) await until(() => probe.progress().runsDone >= options.runs);
  } finally {
    await worker.close({ graceMs: 5_000 });
    await backend.close();
  }
  const report = probe.report();
  const problems: string[] = [];
  if (report.anomalies > 0) problems.push(`${report.anomalies} step(s) ran twice or out of order`);
  if (options.window.finish && report.runsDone !== options.runs)
    problems.push(`${report.runsDone} of ${options.runs} runs finished`);
  const from = probe.markTime(fromSteps) ?? Number.NaN;
  const to = probe.markTime(toSteps) ?? Number.NaN;
  const stepsPerSec = to > from ? ((toSteps - fromSteps) * 1000) / (to - from) : Number.NaN;
  return { stepsPerSec, steps: report.steps, runsDone: report.runsDone, problems };
}
