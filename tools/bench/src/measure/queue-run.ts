import type { OpCounts } from './op-counters.js';
import { percentile } from './stats.js';
import { feedAtRate } from './feed-at-rate.js';
import { loadContender, type ContenderId } from '../workers/contender-registry.js';
import type { ContenderEnv } from '../workers/queue-contender.js';
import { spawnWorker, type WorkerHandle, type WorkerProgress } from '../workers/spawn-worker.js';
import { nowMs } from '../workers/step-probe.js';
import type { RssSample } from '../workers/worker-protocol.js';

/** How runs reach the queue. */
export type ArrivalMode =
  /** All runs enqueued before the worker starts: a backlog, measures throughput. */
  | { readonly kind: 'backlog' }
  /** Runs enqueued at a steady rate while the worker runs: measures latency. */
  | { readonly kind: 'steady'; readonly ratePerSec: number }
  /** Runs topped up so that at most `maxOutstanding` are unfinished: a long run at full speed, bounded queue. */
  | { readonly kind: 'bounded'; readonly maxOutstanding: number };

/** Options of {@link runQueueContender}. */
export interface QueueRunOptions {
  readonly contender: ContenderId;
  readonly env: ContenderEnv;
  readonly runs: number;
  readonly arrival: ArrivalMode;
  readonly countOps?: boolean;
  readonly progressMs?: number;
  readonly timeoutMs: number;
  /**
   * Measure throughput over a window of steps instead of the whole run (backlog comparisons): from the
   * first progress report at or past `fromSteps` to the first at or past `toSteps`. With `finish: false`
   * the worker stops at the window's end (runs left unfinished, correctness checks limited to the probe).
   */
  readonly window?: {
    readonly fromSteps: number;
    readonly toSteps: number;
    readonly finish: boolean;
    /**
     * Give up on reaching `toSteps` after this long (a backend that stalls under a deep backlog): the
     * figure is then the rate seen so far, and the result says the window was cut short.
     */
    readonly maxMs?: number;
  };
  /** Called once the backlog is enqueued, before the worker process starts (counter snapshots). */
  readonly afterEnqueue?: () => Promise<void>;
  /** Called once every run finished, before the worker stops (counter snapshots). */
  readonly afterComplete?: () => Promise<void>;
  /** Called once the worker process stopped (its sessions closed), before the stored state is verified. */
  readonly afterWorkerStop?: () => Promise<void>;
}

/** What one contender did on the chain workload. */
export interface QueueRunResult {
  readonly label: string;
  readonly steps: number;
  readonly runsDone: number;
  /** Steps per second between the first step's start and the last step's end (or the window). */
  readonly stepsPerSec: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly latencySamples: number;
  readonly ops: OpCounts;
  readonly rss: readonly RssSample[];
  /** Problems found by the worker's probe and by the contender's stored-state check; empty = correct. */
  readonly problems: readonly string[];
  /** Time spent enqueueing a backlog (ms). */
  readonly enqueueMs: number;
  /** Set when a throughput window hit its `maxMs` before `toSteps`. */
  readonly cutShort?: string;
}

/**
 * Runs the chain workload on one queue contender: storage prepared, runs enqueued, a worker process
 * at the configured concurrency, correctness checked, everything cleaned up.
 */
export async function runQueueContender(options: QueueRunOptions): Promise<QueueRunResult> {
  const contender = await loadContender(options.contender);
  const client = await contender.open(options.env);
  const windowed = options.window !== undefined && !options.window.finish;
  let worker: WorkerHandle | undefined;
  try {
    let enqueueMs = 0;
    if (options.arrival.kind === 'backlog') {
      const started = performance.now();
      const batch = 1_000;
      for (let first = 0; first < options.runs; first += batch) {
        await client.enqueueRuns(first, Math.min(batch, options.runs - first));
      }
      enqueueMs = performance.now() - started;
    }
    await options.afterEnqueue?.();
    worker = spawnWorker(
      {
        contender: options.contender,
        env: options.env,
        expectedRuns: options.runs,
        recordLatency: options.arrival.kind === 'steady',
        countOps: options.countOps ?? false,
        progressMs: options.progressMs ?? 250,
        ...(options.window ? { markSteps: [options.window.fromSteps, options.window.toSteps] } : {}),
      },
      { timeoutMs: options.timeoutMs },
    );
    await worker.ready;
    const readyAt = nowMs();
    let cutShort: string | undefined;
    let fallbackRate = Number.NaN;
    if (options.window) {
      const { fromSteps, toSteps, maxMs } = options.window;
      let fromProgress: WorkerProgress | undefined;
      const reached = new Promise<void>((resolve) => {
        worker?.onProgress((p) => {
          if (!fromProgress && p.steps >= fromSteps) fromProgress = p;
          if (p.steps >= toSteps) resolve();
        });
      });
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<'expired'>((resolve) => {
        if (maxMs !== undefined) timer = setTimeout(() => resolve('expired'), maxMs);
      });
      const outcome = await Promise.race([reached, worker.complete, expired]);
      clearTimeout(timer);
      if (outcome === 'expired') {
        const last = worker.progress();
        const steps = last?.steps ?? 0;
        const base = fromProgress ?? { steps: 0, at: readyAt };
        fallbackRate =
          last && last.at > base.at ? ((last.steps - base.steps) * 1000) / (last.at - base.at) : 0;
        cutShort = `only ${steps} of the ${toSteps} window steps ran in ${Math.round((maxMs ?? 0) / 1000)} s`;
      } else if (options.window.finish) {
        await worker.complete;
      }
    } else if (options.arrival.kind === 'steady') {
      const feeding = feedAtRate({
        runs: options.runs,
        ratePerSec: options.arrival.ratePerSec,
        enqueue: (first, count) => client.enqueueRuns(first, count),
      });
      await Promise.all([feeding, worker.complete]);
    } else if (options.arrival.kind === 'bounded') {
      const { maxOutstanding } = options.arrival;
      const running = worker;
      let sent = 0;
      while (sent < options.runs) {
        const outstanding = sent - (running.progress()?.runsDone ?? 0);
        const count = Math.min(options.runs - sent, maxOutstanding - outstanding, 500);
        if (count > 0) {
          await client.enqueueRuns(sent, count);
          sent += count;
        } else {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
      await running.complete;
    } else {
      await worker.complete;
    }
    if (!windowed) await options.afterComplete?.();
    const stopping = worker;
    let report;
    try {
      report = await stopping.stop({ timeoutMs: 30_000 });
    } catch (error) {
      if (!cutShort) throw error;
      // A worker that stalled under the backlog may not shut down either: that is part of the finding.
      return {
        label: contender.label,
        steps: stopping.progress()?.steps ?? 0,
        runsDone: stopping.progress()?.runsDone ?? 0,
        stepsPerSec: fallbackRate,
        latencyP50Ms: Number.NaN,
        latencyP99Ms: Number.NaN,
        latencySamples: 0,
        ops: { redisRoundTrips: 0, redisCommands: 0, pgQueries: 0, pgByKind: {} },
        rss: [],
        problems: [`${error instanceof Error ? error.message : String(error)}; its step-order check is lost`],
        enqueueMs,
        cutShort,
      };
    } finally {
      worker = undefined;
    }
    await options.afterWorkerStop?.();
    const probe = report.probe;
    const problems: string[] = [];
    if (probe.anomalies > 0) problems.push(`${probe.anomalies} step(s) ran twice or out of order`);
    if (!windowed) {
      if (probe.runsDone !== options.runs)
        problems.push(`${probe.runsDone} of ${options.runs} runs finished`);
      if (probe.steps !== options.runs * options.env.stepsPerRun) {
        problems.push(`${probe.steps} steps ran, expected ${options.runs * options.env.stepsPerRun}`);
      }
      problems.push(...(await client.verify(options.runs)));
    }
    // The window's edges as stamped by the probe in the worker (progress messages are only the trigger).
    const marks = new Map(probe.marks);
    const from = options.window ? marks.get(options.window.fromSteps) : undefined;
    const to = options.window ? marks.get(options.window.toSteps) : undefined;
    const stepsPerSec = cutShort
      ? fallbackRate
      : options.window && from !== undefined && to !== undefined && to > from
        ? ((options.window.toSteps - options.window.fromSteps) * 1000) / (to - from)
        : (probe.steps * 1000) / Math.max(1e-3, probe.lastStepAt - probe.firstStepAt);
    return {
      label: contender.label,
      steps: probe.steps,
      runsDone: probe.runsDone,
      stepsPerSec,
      latencyP50Ms: percentile(probe.latenciesMs, 50),
      latencyP99Ms: percentile(probe.latenciesMs, 99),
      latencySamples: probe.latenciesMs.length,
      ops: report.ops,
      rss: report.rss,
      problems,
      enqueueMs,
      ...(cutShort ? { cutShort } : {}),
    };
  } finally {
    worker?.kill();
    await client.destroy();
  }
}
