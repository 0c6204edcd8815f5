import { formatNumber } from '../report/format-number.js';
import type { ResultRow, TargetResult } from '../report/scenario-result.js';
import type { ContenderId } from '../workers/contender-registry.js';
import { chainLatency, chainThroughput, halfCapacityRate } from './chain-comparison.js';
import { postgresEnvFactory, redisEnvFactory, type EnvFactory } from './contender-env.js';
import type { Scenario } from './scenario.js';
import { floxideSides, strandsNote, type StrandsMode } from './strands-mode.js';

const SHAPE = { stepsPerRun: 5, concurrency: 16 } as const;

/** One backend of P9: Floxide, the peer its latency target names, and that target's bound. */
interface LatencyCase {
  readonly backend: string;
  readonly ids: { readonly strands: ContenderId; readonly queueOnly: ContenderId };
  readonly peer: ContenderId;
  readonly envFactory: EnvFactory;
  /** Target: Floxide's p50 ≤ `maxRatio` × the peer's p50. */
  readonly maxRatio: number;
  readonly target: string;
}

function cases(options: { redisUrl: string; databaseUrl: string }): LatencyCase[] {
  return [
    {
      backend: 'Redis',
      ids: { strands: 'floxide-redis', queueOnly: 'floxide-redis-queue-only' },
      peer: 'bullmq-chain',
      envFactory: redisEnvFactory(options.redisUrl, SHAPE),
      maxRatio: 1.5,
      target: 'P9 Redis step latency p50 ≤ 1.5× the hand-written BullMQ chain',
    },
    {
      backend: 'Postgres',
      ids: { strands: 'floxide-postgres', queueOnly: 'floxide-postgres-queue-only' },
      peer: 'graphile-chain',
      envFactory: postgresEnvFactory(options.databaseUrl, SHAPE),
      maxRatio: 1,
      target: 'P9 Postgres step latency p50 ≤ Graphile Worker',
    },
  ];
}

/** Capacity, then latency at half the slowest capacity, for one backend. */
async function measureCase(
  c: LatencyCase,
  options: {
    strands: StrandsMode;
    capacityRuns: number;
    latencySeconds: number;
    timeoutMs: number;
    log: (line: string) => void;
  },
) {
  const sides = floxideSides(c.ids, options.strands);
  const contenders = {
    floxide: sides.floxide,
    peers: [...sides.extra, c.peer],
    envFactory: c.envFactory,
    timeoutMs: options.timeoutMs,
    log: options.log,
  };
  const capacity = await chainThroughput({ ...contenders, runs: options.capacityRuns });
  const ratePerSec = halfCapacityRate(capacity.results, SHAPE.stepsPerRun);
  const runs = Math.max(5, Math.min(options.capacityRuns, Math.round(ratePerSec * options.latencySeconds)));
  const latency = await chainLatency({ ...contenders, runs, ratePerSec });
  const floxide = latency.results.get(sides.floxide);
  const peer = latency.results.get(c.peer);
  const ratio = (floxide?.latencyP50Ms ?? Number.NaN) / (peer?.latencyP50Ms ?? Number.NaN);
  const target: TargetResult = {
    target: c.target,
    met: Number.isFinite(ratio) && ratio <= c.maxRatio,
    actual: `${formatNumber(floxide?.latencyP50Ms ?? Number.NaN)} ms vs ${formatNumber(peer?.latencyP50Ms ?? Number.NaN)} ms (${formatNumber(ratio)}×); p99 ${formatNumber(floxide?.latencyP99Ms ?? Number.NaN)} vs ${formatNumber(peer?.latencyP99Ms ?? Number.NaN)} ms`,
  };
  const rows: ResultRow[] = [
    ...capacity.rows.map((r) => ({ ...r, case: 'capacity (throughput)' })),
    ...latency.rows,
  ];
  return {
    rows,
    target,
    checks: [...capacity.checks, ...latency.checks],
    verified: capacity.verified && latency.verified,
    note: `${c.backend}: ${runs} runs arriving at ${formatNumber(ratePerSec)} runs/s (half the slowest contender's ${formatNumber(2 * ratePerSec * SHAPE.stepsPerRun)} steps/s), ${formatNumber(latency.results.get(sides.floxide)?.latencySamples ?? 0)} Floxide samples.`,
  };
}

/**
 * P9: step→step latency at steady arrivals — the P3/P4 latency phase as a scenario of its own, with the
 * issue's targets: Redis p50 ≤ 1.5× the hand-written BullMQ chain's, Postgres p50 ≤ Graphile Worker's.
 */
export const p9StepLatency: Scenario = {
  id: 'p9',
  title:
    'Step latency at steady arrivals (half the slowest capacity): Redis vs BullMQ chain, Postgres vs Graphile Worker',
  async run(options) {
    const capacityRuns = options.runs ?? (options.smoke ? 20 : 1_000);
    const latencySeconds = options.smoke ? 0.5 : 10;
    const rows: ResultRow[] = [];
    const targets: TargetResult[] = [];
    const checks: string[] = [];
    const notes: string[] = [];
    let verified = true;
    for (const c of cases(options)) {
      const measured = await measureCase(c, {
        strands: options.strands,
        capacityRuns,
        latencySeconds,
        timeoutMs: options.smoke ? 60_000 : 300_000,
        log: options.log,
      });
      rows.push(...measured.rows);
      targets.push(measured.target);
      checks.push(...measured.checks);
      notes.push(measured.note);
      verified &&= measured.verified;
    }
    notes.unshift(
      `5-step no-op chains, one worker process at concurrency 16 per contender. Capacity: ${capacityRuns} runs enqueued first (steps/s timed inside the worker). Latency: runs fed at half the slowest contender's capacity, at most ${capacityRuns} runs / about ${latencySeconds} s; step→step = previous step's handler done → next step's handler starts, both stamped in the worker process (the first step of a run is not a sample).`,
      strandsNote(options.strands),
    );
    return { verified, checks, rows, targets, notes };
  },
};
