import { runMemoryChain } from '../floxide/memory-chain-run.js';
import { runQueueContender } from '../measure/queue-run.js';
import { median, safeRatio } from '../measure/stats.js';
import { formatNumber } from '../report/format-number.js';
import type { ResultRow, TargetResult } from '../report/scenario-result.js';
import type { ContenderId } from '../workers/contender-registry.js';
import { postgresEnvFactory, redisEnvFactory, type EnvFactory } from './contender-env.js';
import type { Scenario } from './scenario.js';

const SHAPE = { stepsPerRun: 5, concurrency: 16 } as const;

/** One backend's two measurements. */
interface BacklogCase {
  readonly backend: string;
  readonly small: number;
  readonly large: number;
  /** Measures steps/s with `runs` queued; returns figure and problems. */
  readonly measure: (
    runs: number,
    finish: boolean,
  ) => Promise<{ stepsPerSec: number; problems: readonly string[]; enqueueMs?: number; cutShort?: string }>;
}

/** Measures a backend through a worker process, in a fresh environment. */
function viaWorker(
  factory: EnvFactory,
  contender: ContenderId,
  window: { fromSteps: number; toSteps: number; maxMs: number },
  timeoutMs: number,
) {
  return async (runs: number, finish: boolean) => {
    const isolated = await factory(contender);
    try {
      return await runQueueContender({
        contender,
        env: isolated.env,
        runs,
        arrival: { kind: 'backlog' },
        progressMs: 50,
        timeoutMs,
        window: { ...window, finish },
      });
    } finally {
      await isolated.dispose();
    }
  };
}

/** P6: does throughput hold with a deep backlog? 100,000 runs queued vs 1,000, per Floxide backend. */
export const p6Backlog: Scenario = {
  id: 'p6',
  title: 'Backlog: step throughput with 100,000 runs queued vs 1,000 (per Floxide backend)',
  async run(options) {
    const smoke = options.smoke;
    const small = smoke ? 20 : 1_000;
    const large = options.runs ?? (smoke ? 200 : 100_000);
    // A backend that stalls under the deep backlog gets this long to run its window, then the rate so far counts.
    const window = smoke
      ? { fromSteps: 10, toSteps: 90, maxMs: 30_000 }
      : { fromSteps: 500, toSteps: 4_500, maxMs: 45_000 };
    const timeoutMs = smoke ? 60_000 : 600_000;
    const cases: BacklogCase[] = [
      {
        backend: 'Floxide MemoryBackend (in process)',
        small,
        large,
        // In process the window lasts ~0.1 s, so one GC pause swings it: take the median of a few.
        measure: async (runs, finish) => {
          const results = [];
          for (let i = 0; i < (runs > 10_000 ? 3 : 5); i++) {
            results.push(await runMemoryChain({ runs, ...SHAPE, window: { ...window, finish } }));
          }
          const rate = median(results.map((r) => r.stepsPerSec));
          return { stepsPerSec: rate, problems: results.flatMap((r) => r.problems) };
        },
      },
      {
        backend: 'Floxide RedisBackend',
        small,
        large,
        measure: viaWorker(redisEnvFactory(options.redisUrl, SHAPE), 'floxide-redis', window, timeoutMs),
      },
      {
        backend: 'Floxide PostgresBackend',
        small,
        large,
        measure: viaWorker(
          postgresEnvFactory(options.databaseUrl, SHAPE),
          'floxide-postgres',
          window,
          timeoutMs,
        ),
      },
    ];
    const rows: ResultRow[] = [];
    const targets: TargetResult[] = [];
    const checks: string[] = [];
    const notes: string[] = [];
    let verified = true;
    for (const c of cases) {
      // The small backlog runs to the end (full correctness check); the large one stops after the window.
      const base = await c.measure(c.small, true);
      const deep = await c.measure(c.large, false);
      options.log(
        `  ${c.backend}: ${Math.round(base.stepsPerSec)} steps/s at ${c.small} queued, ${Math.round(deep.stepsPerSec)} at ${c.large}`,
      );
      const ok = base.problems.length === 0 && deep.problems.length === 0;
      verified &&= ok;
      checks.push(
        `${c.backend}: ${ok ? `${c.small} runs completed and verified; the ${formatNumber(c.large)}-run backlog ${deep.cutShort ? 'stalled (window cut short), but' : 'ran its window,'} every step in order` : `FAILED — ${[...base.problems, ...deep.problems].join('; ')}`}`,
      );
      const ratio = safeRatio(deep.stepsPerSec, base.stepsPerSec);
      rows.push(
        {
          contender: c.backend,
          case: `${formatNumber(c.small)} runs queued`,
          figure: base.stepsPerSec,
          unit: 'steps/s',
        },
        {
          contender: c.backend,
          case: `${formatNumber(c.large)} runs queued`,
          figure: deep.stepsPerSec,
          unit: 'steps/s',
          note: [
            `${formatNumber(ratio)}× the small backlog`,
            ...(deep.enqueueMs ? [`enqueueing took ${formatNumber(deep.enqueueMs / 1000)} s`] : []),
            ...(deep.cutShort ? [`window cut short: ${deep.cutShort}`] : []),
          ].join('; '),
        },
      );
      targets.push({
        target: `P6 ${c.backend}: deep backlog within 20% of small`,
        met: Number.isFinite(ratio) && ratio >= 0.8,
        actual: `${formatNumber(ratio)}× (${formatNumber(deep.stepsPerSec)} vs ${formatNumber(base.stepsPerSec)} steps/s)`,
      });
    }
    notes.push(
      `5-step chains, one worker at concurrency 16 (a spawned worker process for Redis and Postgres; in process for memory). Throughput is measured over steps ${window.fromSteps}–${window.toSteps} in both cases, so warm-up and the small backlog's draining tail do not count; in memory the median of 5 (small) and 3 (deep) repeats.`,
      `Starting the deep backlog (${formatNumber(large)} runs) is not timed into the figure; its duration is in the note. On a heavily loaded machine it takes minutes: \`--runs\` sets a smaller deep backlog.`,
      `A deep-backlog window that does not reach step ${window.toSteps} within ${window.maxMs / 1000} s is cut short and the rate seen so far is reported.`,
    );
    return { verified, checks, rows, targets, notes };
  },
};
