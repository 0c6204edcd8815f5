import { runQueueContender, type QueueRunResult } from '../measure/queue-run.js';
import { rowsWithRatios, type Figure } from '../report/rows.js';
import type { ResultRow } from '../report/scenario-result.js';
import type { ContenderId } from '../workers/contender-registry.js';
import type { EnvFactory } from './contender-env.js';

/** Options of {@link compareChains}. */
export interface ChainComparisonOptions {
  readonly floxide: ContenderId;
  readonly peers: readonly ContenderId[];
  readonly envFactory: EnvFactory;
  readonly runs: number;
  /** Runs of the latency phase at most (it also stops after about `latencySeconds`). */
  readonly latencySeconds: number;
  readonly timeoutMs: number;
  readonly log: (line: string) => void;
}

/** Throughput and latency of each contender, plus the rows and checks of the report. */
export interface ChainComparison {
  readonly throughput: ReadonlyMap<ContenderId, QueueRunResult>;
  readonly latency: ReadonlyMap<ContenderId, QueueRunResult>;
  readonly ratePerSec: number;
  readonly rows: ResultRow[];
  readonly checks: string[];
  readonly verified: boolean;
}

/** Runs one contender in a fresh environment and disposes of it. */
async function runIsolated(
  options: ChainComparisonOptions,
  contender: ContenderId,
  run: Omit<Parameters<typeof runQueueContender>[0], 'contender' | 'env'>,
): Promise<QueueRunResult> {
  const isolated = await options.envFactory(contender);
  try {
    return await runQueueContender({ contender, env: isolated.env, ...run });
  } finally {
    await isolated.dispose();
  }
}

/**
 * The chain workload on Floxide and its peers: throughput with every run enqueued at once, then
 * step-to-step latency with runs arriving at half the slowest contender's throughput.
 */
export async function compareChains(options: ChainComparisonOptions): Promise<ChainComparison> {
  const all = [options.floxide, ...options.peers];
  const throughput = new Map<ContenderId, QueueRunResult>();
  const checks: string[] = [];
  let verified = true;
  const record = (phase: string, contender: ContenderId, result: QueueRunResult): void => {
    const ok = result.problems.length === 0;
    verified &&= ok;
    checks.push(
      `${result.label} (${phase}): ${ok ? `${result.runsDone} runs × ${result.steps / Math.max(1, result.runsDone)} steps, each in order, nothing left queued` : `FAILED — ${result.problems.join('; ')}`}`,
    );
    options.log(
      `  ${contender} ${phase}: ${Math.round(result.stepsPerSec)} steps/s${ok ? '' : ` (${result.problems.join('; ')})`}`,
    );
  };
  for (const contender of all) {
    const result = await runIsolated(options, contender, {
      runs: options.runs,
      arrival: { kind: 'backlog' },
      timeoutMs: options.timeoutMs,
    });
    record('throughput', contender, result);
    throughput.set(contender, result);
  }
  const slowest = Math.min(...[...throughput.values()].map((r) => r.stepsPerSec));
  const stepsPerRun = Math.max(1, (throughput.get(options.floxide)?.steps ?? 1) / Math.max(1, options.runs));
  const ratePerSec = Math.max(1, (0.5 * slowest) / stepsPerRun);
  const latencyRuns = Math.max(5, Math.min(options.runs, Math.round(ratePerSec * options.latencySeconds)));
  const latency = new Map<ContenderId, QueueRunResult>();
  for (const contender of all) {
    const result = await runIsolated(options, contender, {
      runs: latencyRuns,
      arrival: { kind: 'steady', ratePerSec },
      timeoutMs: options.timeoutMs,
    });
    record(`latency, ${latencyRuns} runs at ${ratePerSec.toFixed(1)} runs/s`, contender, result);
    latency.set(contender, result);
  }

  const figure = (
    map: Map<ContenderId, QueueRunResult>,
    id: ContenderId,
    value: (r: QueueRunResult) => number,
    c: string,
    note?: string,
  ): Figure => {
    const r = map.get(id);
    return {
      contender: r?.label ?? id,
      case: c,
      figure: r ? value(r) : Number.NaN,
      ...(note ? { note } : {}),
    };
  };
  const rows = [
    ...rowsWithRatios({
      floxide: [figure(throughput, options.floxide, (r) => r.stepsPerSec, 'throughput')],
      others: options.peers.map((p) => figure(throughput, p, (r) => r.stepsPerSec, 'throughput')),
      unit: 'steps/s',
      higherIsBetter: true,
    }),
    ...(['p50', 'p99'] as const).flatMap((q) =>
      rowsWithRatios({
        floxide: [
          figure(
            latency,
            options.floxide,
            (r) => (q === 'p50' ? r.latencyP50Ms : r.latencyP99Ms),
            `latency ${q}`,
          ),
        ],
        others: options.peers.map((p) =>
          figure(latency, p, (r) => (q === 'p50' ? r.latencyP50Ms : r.latencyP99Ms), `latency ${q}`),
        ),
        unit: 'ms step→step',
        higherIsBetter: false,
      }),
    ),
  ];
  return { throughput, latency, ratePerSec, rows, checks, verified };
}
