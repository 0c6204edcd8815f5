import { runQueueContender, type QueueRunResult } from '../measure/queue-run.js';
import { rowsWithRatios, type Figure } from '../report/rows.js';
import type { ResultRow } from '../report/scenario-result.js';
import type { ContenderId } from '../workers/contender-registry.js';
import type { EnvFactory } from './contender-env.js';

/** The contenders of a chain comparison and where they run. */
export interface ChainContenders {
  readonly floxide: ContenderId;
  /** Peers, and any extra Floxide rows (`--strands both`): each gets a ratio to `floxide`. */
  readonly peers: readonly ContenderId[];
  readonly envFactory: EnvFactory;
  readonly timeoutMs: number;
  readonly log: (line: string) => void;
}

/** One phase of a chain comparison: each contender's result, plus the rows and checks of the report. */
export interface ChainPhase {
  readonly results: ReadonlyMap<ContenderId, QueueRunResult>;
  readonly rows: ResultRow[];
  readonly checks: string[];
  readonly verified: boolean;
}

/** Runs one contender in a fresh environment and disposes of it. */
async function runIsolated(
  options: ChainContenders,
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

/** Runs every contender of `options` with the same arrival mode, one after another, checking each. */
async function runPhase(
  options: ChainContenders,
  phase: string,
  run: Omit<Parameters<typeof runQueueContender>[0], 'contender' | 'env'>,
): Promise<{ results: Map<ContenderId, QueueRunResult>; checks: string[]; verified: boolean }> {
  const results = new Map<ContenderId, QueueRunResult>();
  const checks: string[] = [];
  let verified = true;
  for (const contender of [options.floxide, ...options.peers]) {
    const result = await runIsolated(options, contender, run);
    const ok = result.problems.length === 0;
    verified &&= ok;
    checks.push(
      `${result.label} (${phase}): ${ok ? `${result.runsDone} runs × ${result.steps / Math.max(1, result.runsDone)} steps, each in order, nothing left queued` : `FAILED — ${result.problems.join('; ')}`}`,
    );
    options.log(
      `  ${contender} ${phase}: ${Math.round(result.stepsPerSec)} steps/s${result.latencySamples > 0 ? `, p50 ${result.latencyP50Ms.toFixed(1)} ms, p99 ${result.latencyP99Ms.toFixed(1)} ms` : ''}${ok ? '' : ` (${result.problems.join('; ')})`}`,
    );
    results.set(contender, result);
  }
  return { results, checks, verified };
}

/** Rows of one figure of a phase, Floxide first, each other contender with its ratio. */
function phaseRows(
  options: ChainContenders,
  results: ReadonlyMap<ContenderId, QueueRunResult>,
  value: (r: QueueRunResult) => number,
  rowCase: string,
  unit: string,
  higherIsBetter: boolean,
): ResultRow[] {
  const figure = (id: ContenderId): Figure => {
    const r = results.get(id);
    return { contender: r?.label ?? id, case: rowCase, figure: r ? value(r) : Number.NaN };
  };
  return rowsWithRatios({
    floxide: [figure(options.floxide)],
    others: options.peers.map(figure),
    unit,
    higherIsBetter,
  });
}

/** Throughput: every run enqueued before the worker starts; steps/s timed inside the worker. */
export async function chainThroughput(
  options: ChainContenders & { readonly runs: number },
): Promise<ChainPhase> {
  const { results, checks, verified } = await runPhase(options, 'throughput', {
    runs: options.runs,
    arrival: { kind: 'backlog' },
    timeoutMs: options.timeoutMs,
  });
  const rows = phaseRows(options, results, (r) => r.stepsPerSec, 'throughput', 'steps/s', true);
  return { results, rows, checks, verified };
}

/**
 * The arrival rate of a latency phase: half the slowest contender's measured throughput, in runs per
 * second (at least 1).
 */
export function halfCapacityRate(
  throughput: ReadonlyMap<ContenderId, QueueRunResult>,
  stepsPerRun: number,
): number {
  const slowest = Math.min(...[...throughput.values()].map((r) => r.stepsPerSec));
  return Math.max(1, (0.5 * slowest) / Math.max(1, stepsPerRun));
}

/**
 * Step→step latency: `runs` runs arriving at `ratePerSec` while the worker runs; p50 and p99 of
 * "previous step's handler done → next step's handler starts", measured by the worker's probe.
 */
export async function chainLatency(
  options: ChainContenders & { readonly runs: number; readonly ratePerSec: number },
): Promise<ChainPhase> {
  const { results, checks, verified } = await runPhase(
    options,
    `latency, ${options.runs} runs at ${options.ratePerSec.toFixed(1)} runs/s`,
    {
      runs: options.runs,
      arrival: { kind: 'steady', ratePerSec: options.ratePerSec },
      timeoutMs: options.timeoutMs,
    },
  );
  const rows = [
    ...phaseRows(options, results, (r) => r.latencyP50Ms, 'latency p50', 'ms step→step', false),
    ...phaseRows(options, results, (r) => r.latencyP99Ms, 'latency p99', 'ms step→step', false),
  ];
  return { results, rows, checks, verified };
}
