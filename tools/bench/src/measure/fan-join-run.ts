import { fileURLToPath } from 'node:url';
import type { FanJoinEnv } from '../workers/fan-join-contender.js';
import { checkFanJoin } from '../workers/fan-join-probe.js';
import { loadFanJoinContender, type FanJoinContenderId } from '../workers/fan-join-registry.js';
import type { FanJoinWorkerConfig, FanJoinWorkerReport } from '../workers/fan-join-worker-main.js';
import { spawnWorker, type WorkerHandle } from '../workers/spawn-worker.js';

const entry = fileURLToPath(new URL('../workers/fan-join-worker-main.ts', import.meta.url));

/** Options of {@link runFanJoinContender}. */
export interface FanJoinRunOptions {
  readonly contender: FanJoinContenderId;
  readonly env: FanJoinEnv;
  readonly runs: number;
  /** Worker processes, each at `env.concurrency`. */
  readonly workers: number;
  readonly timeoutMs: number;
}

/** What one contender did on the fan-out → join workload. */
export interface FanJoinRunResult {
  readonly label: string;
  readonly runsDone: number;
  readonly steps: number;
  /** Runs and steps per second between the first step's start and the last step's end, over every process. */
  readonly runsPerSec: number;
  readonly stepsPerSec: number;
  readonly enqueueMs: number;
  /** Runs per second over enqueueing plus working (`enqueueMs` + first step → last step). */
  readonly runsPerSecWithEnqueue: number;
  /** Empty = every run completed, each part exactly once, every join saw every branch, nothing left queued. */
  readonly problems: readonly string[];
}

/**
 * Runs the P8 workload on one contender: every run enqueued first, then `workers` worker processes;
 * done when their joins add up to `runs`; then the union of their probes and the stored state are checked.
 */
export async function runFanJoinContender(options: FanJoinRunOptions): Promise<FanJoinRunResult> {
  const contender = await loadFanJoinContender(options.contender);
  const client = await contender.open(options.env);
  const handles: WorkerHandle<FanJoinWorkerReport>[] = [];
  try {
    const started = performance.now();
    for (let first = 0; first < options.runs; first += 50)
      await client.enqueueRuns(first, Math.min(50, options.runs - first));
    const enqueueMs = performance.now() - started;
    const config: FanJoinWorkerConfig = { contender: options.contender, env: options.env, progressMs: 100 };
    for (let w = 0; w < options.workers; w++)
      handles.push(spawnWorker<FanJoinWorkerReport>(config, { timeoutMs: options.timeoutMs, entry }));
    await Promise.all(handles.map((h) => h.ready));
    // Done when the joins reported by every process add up; a process that fails rejects `complete`.
    const failed = Promise.race(handles.map((h) => h.complete));
    const deadline = performance.now() + options.timeoutMs;
    let joins = 0;
    while (joins < options.runs && performance.now() < deadline) {
      await Promise.race([new Promise((resolve) => setTimeout(resolve, 50)), failed]);
      joins = handles.reduce((sum, h) => sum + (h.progress()?.runsDone ?? 0), 0);
    }
    const reports = await Promise.all(handles.map((h) => h.stop({ timeoutMs: 30_000 })));
    handles.length = 0;
    const probes = reports.map((r) => r.probe);
    const steps = probes.reduce((sum, p) => sum + p.steps, 0);
    const runsDone = probes.reduce((sum, p) => sum + p.joinsDone, 0);
    const active = probes.filter((p) => p.steps > 0);
    const seconds =
      (Math.max(...active.map((p) => p.lastStepAt)) - Math.min(...active.map((p) => p.firstStepAt))) / 1000;
    const problems = checkFanJoin(probes, {
      runs: options.runs,
      width: options.env.width,
      fanStep: contender.fanStep,
    });
    if (runsDone !== options.runs) problems.unshift(`${runsDone} of ${options.runs} joins ran`);
    problems.push(...(await client.verify(options.runs)));
    return {
      label: contender.label,
      runsDone,
      steps,
      runsPerSec: runsDone / Math.max(1e-3, seconds),
      stepsPerSec: steps / Math.max(1e-3, seconds),
      enqueueMs,
      runsPerSecWithEnqueue: runsDone / Math.max(1e-3, seconds + enqueueMs / 1000),
      problems,
    };
  } finally {
    for (const h of handles) h.kill();
    await client.destroy();
  }
}
