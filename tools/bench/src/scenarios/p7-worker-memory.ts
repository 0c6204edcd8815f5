import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runQueueContender } from '../measure/queue-run.js';
import { rssTrend, type RssTrend } from '../measure/rss-trend.js';
import { formatNumber } from '../report/format-number.js';
import type { ResultRow, TargetResult } from '../report/scenario-result.js';
import type { LocalMemoryReport } from '../workers/local-memory-main.js';
import { redisEnvFactory } from './contender-env.js';
import type { Scenario } from './scenario.js';

const localMain = fileURLToPath(new URL('../workers/local-memory-main.ts', import.meta.url));
/** RSS may grow this much from the second to the last quarter of the run and still count as flat. */
const FLAT = 1.15;

/** Runs the local chain in a child process and returns its report. */
async function runLocal(steps: number, timeoutMs: number): Promise<LocalMemoryReport> {
  const child = fork(localMain, [], {
    execArgv: ['--conditions=@floxide/source', '--import', 'tsx'],
    env: { ...process.env, BENCH_LOCAL_STEPS: String(steps) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise<LocalMemoryReport>((resolve, reject) => {
    let report: LocalMemoryReport | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('message', (message: LocalMemoryReport) => {
      report = message;
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (report) resolve(report);
      else reject(new Error(`local memory process exited with code ${code} before reporting`));
    });
  });
}

/** Rows and target of one RSS trend. */
function describeTrend(
  contender: string,
  steps: number,
  trend: RssTrend,
): { rows: ResultRow[]; target: TargetResult } {
  const note = `${formatNumber(steps)} steps, ${trend.samples} samples`;
  return {
    rows: [
      { contender, case: 'RSS at start', figure: trend.startMb, unit: 'MB', note },
      { contender, case: 'RSS peak', figure: trend.peakMb, unit: 'MB' },
      { contender, case: 'RSS at end', figure: trend.endMb, unit: 'MB' },
      { contender, case: 'growth, last vs 2nd quarter', figure: trend.growth, unit: '×' },
    ],
    target: {
      target: `P7 ${contender}: flat RSS (last quarter ≤ ${FLAT}× second quarter)`,
      met: Number.isFinite(trend.growth) && trend.growth <= FLAT,
      actual: `${formatNumber(trend.growth)}× (${formatNumber(trend.startMb)} → peak ${formatNumber(trend.peakMb)} → ${formatNumber(trend.endMb)} MB)`,
    },
  };
}

/** P7: worker RSS over a long run — 1,000,000 local steps and 200,000 Redis steps. */
export const p7WorkerMemory: Scenario = {
  id: 'p7',
  title: 'Worker memory: RSS over 1,000,000 local steps and 200,000 Redis steps',
  async run(options) {
    const localSteps = options.smoke ? 2_000 : 1_000_000;
    // `--runs` counts 5-step runs here, like the other queue scenarios.
    const redisSteps = options.runs ? options.runs * 5 : options.smoke ? 500 : 200_000;
    const timeoutMs = options.smoke ? 60_000 : 600_000;

    const local = await runLocal(localSteps, timeoutMs);
    options.log(`  local: ${local.steps} steps in ${local.ms.toFixed(0)} ms`);
    const localTrend = describeTrend('Floxide wf.run (local)', local.steps, rssTrend(local.rss));

    const runs = Math.ceil(redisSteps / 5);
    const isolated = await redisEnvFactory(options.redisUrl, { stepsPerRun: 5, concurrency: 16 })(
      'floxide-redis',
    );
    let redis;
    try {
      redis = await runQueueContender({
        contender: 'floxide-redis',
        env: isolated.env,
        runs,
        arrival: { kind: 'bounded', maxOutstanding: 2_000 },
        progressMs: options.smoke ? 50 : 1_000,
        timeoutMs,
      });
    } finally {
      await isolated.dispose();
    }
    options.log(`  redis: ${redis.steps} steps at ${Math.round(redis.stepsPerSec)} steps/s`);
    const redisTrend = describeTrend('Floxide DistributedWorker on Redis', redis.steps, rssTrend(redis.rss));

    const problems = [
      ...(local.wrong ? [`${local.wrong} local runs returned a wrong output`] : []),
      ...redis.problems,
    ];
    return {
      verified: problems.length === 0,
      checks: [
        `local: ${local.steps} steps, ${local.wrong === 0 ? 'every run returned 10' : `${local.wrong} WRONG outputs`}`,
        `Redis: ${redis.problems.length === 0 ? `${redis.runsDone} runs completed and verified` : `FAILED — ${redis.problems.join('; ')}`}`,
      ],
      rows: [...localTrend.rows, ...redisTrend.rows],
      targets: [localTrend.target, redisTrend.target],
      notes: [
        'Each side runs in a process of its own (a fresh heap), RSS from process.memoryUsage.rss(): local every 2% of the runs, the Redis worker every second. The first quarter is warm-up and is not compared.',
        `Redis: ${formatNumber(runs)} 5-step runs topped up so at most 2,000 are unfinished at a time (the orchestrating process starts runs while the worker runs them), ${formatNumber(redis.stepsPerSec)} steps/s overall.`,
      ],
    };
  },
};
