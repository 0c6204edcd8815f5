import { fileURLToPath } from 'node:url';
import { DistributedOrchestrator, type Backend } from '@floxide/distributed';
import { PostgresBackend } from '@floxide/postgres';
import { RedisBackend } from '@floxide/redis';
import { floxideChain, floxideFanOut, type FanOutResult } from '../floxide/local-workflows.js';
import { growthExponent, median, safeRatio } from '../measure/stats.js';
import { formatNumber } from '../report/format-number.js';
import type { ResultRow, TargetResult } from '../report/scenario-result.js';
import type { FanOutWorkerConfig } from '../workers/fan-out-worker-main.js';
import { ProcessFleet } from '../workers/process-fleet.js';
import { postgresEnvFactory, redisEnvFactory, type EnvFactory } from './contender-env.js';
import type { Scenario } from './scenario.js';

const CONCURRENCY = 16;
const SIDE_RUNS = 10;
const SIDE_DELAY_MS = 1_000;
const fanOutWorkerMain = fileURLToPath(new URL('../workers/fan-out-worker-main.ts', import.meta.url));

/** One fan-out measured: time, rate, RSS, and how the runs started beside it fared. */
interface FanOutCase {
  readonly n: number;
  readonly ms: number;
  readonly completed: boolean;
  readonly stepsPerSec: number;
  readonly peakRss: number;
  readonly sideMs: readonly number[];
  readonly sideBeforeFanOut: number;
  readonly problems: readonly string[];
}

/** One backend of P10. */
interface BackendCase {
  readonly name: string;
  readonly kind: FanOutWorkerConfig['backend'];
  readonly factory: EnvFactory;
  readonly open: (url: string, namespace: string) => Promise<Backend>;
}

/** Starts `count` 5-step chains and waits for all of them; steps/s over the whole batch. */
async function measureChain(o: DistributedOrchestrator, runs: number, timeoutMs: number) {
  const wf = floxideChain(5);
  const t0 = performance.now();
  const ids: string[] = [];
  for (let i = 0; i < runs; i += 200) {
    ids.push(...(await Promise.all(Array.from({ length: Math.min(200, runs - i) }, () => o.start(wf, 0)))));
  }
  const infos = await Promise.all(ids.map((id) => o.wait(id, { timeoutMs })));
  const ms = performance.now() - t0;
  const bad = infos.filter((r) => r.status !== 'completed' || r.output !== 5).length;
  return { ms, stepsPerSec: (runs * 5 * 1000) / ms, problems: bad > 0 ? [`${bad} chain run(s) wrong`] : [] };
}

async function measureFanOut(
  o: DistributedOrchestrator,
  fleet: ProcessFleet,
  n: number,
  timeoutMs: number,
): Promise<FanOutCase> {
  fleet.takePeak();
  const chain = floxideChain(5);
  const t0 = performance.now();
  const runId = await o.start(floxideFanOut(), n);
  const fanOut = o.wait(runId, { timeoutMs }).then(
    (info) => ({ info, ms: performance.now() - t0 }),
    () => ({ info: undefined, ms: performance.now() - t0 }),
  );
  await new Promise((resolve) => setTimeout(resolve, SIDE_DELAY_MS));
  const side = await Promise.all(
    Array.from({ length: SIDE_RUNS }, async () => {
      const start = performance.now();
      const id = await o.start(chain, 0);
      const info = await o.wait(id, { timeoutMs }).catch(() => undefined);
      return { ms: performance.now() - start, at: performance.now() - t0, ok: info?.output === 5 };
    }),
  );
  const { info, ms } = await fanOut;
  const problems: string[] = [];
  let completed = false;
  let steps = n + 2;
  if (info?.status === 'completed') {
    const out = info.output as FanOutResult;
    completed = out.count === n && out.inOrder;
    if (!completed) problems.push(`join saw ${out.count} of ${n} values (in order: ${out.inOrder})`);
  } else {
    // Not done in time: the rate so far counts, and the run is cancelled so the next case starts clean.
    steps = (await o.metrics(runId)).completed;
    problems.push(
      `not completed within ${formatNumber(timeoutMs / 1000)} s (${formatNumber(steps)} steps done)`,
    );
    await o.cancel(runId).catch(() => undefined);
  }
  const sideFailed = side.filter((s) => !s.ok).length;
  if (sideFailed > 0) problems.push(`${sideFailed} run(s) started beside it did not complete`);
  return {
    n,
    ms,
    completed,
    stepsPerSec: (steps * 1000) / ms,
    peakRss: fleet.takePeak(),
    sideMs: side.filter((s) => s.ok).map((s) => s.ms),
    sideBeforeFanOut: side.filter((s) => s.ok && s.at < ms).length,
    problems,
  };
}

const MB = 1024 * 1024;

/** P10: a 10,000- and 100,000-branch fan-out → join on 3 worker processes, per backend. */
export const p10WideFanOut: Scenario = {
  id: 'p10',
  title:
    'Wide fan-out → join on 3 worker processes: time, steps/s vs the 5-step chain, worker RSS, growth with N',
  async run(options) {
    const smoke = options.smoke;
    const sizes = smoke ? [50, 300] : [10_000, options.runs ?? 100_000];
    const chainRuns = smoke ? 10 : 1_000;
    const timeoutMs = smoke ? 120_000 : 480_000;
    // Smoke: one worker process (same code paths; each process costs seconds of start-up on a loaded machine).
    const workers = smoke ? 1 : 3;
    const shape = { stepsPerRun: 5, concurrency: CONCURRENCY };
    const cases: BackendCase[] = [
      {
        name: 'Floxide RedisBackend',
        kind: 'redis',
        factory: redisEnvFactory(options.redisUrl, shape),
        open: async (url, namespace) => new RedisBackend({ connection: url, prefix: namespace }),
      },
      {
        name: 'Floxide PostgresBackend',
        kind: 'postgres',
        factory: postgresEnvFactory(options.databaseUrl, shape),
        open: async (url, namespace) => {
          const b = new PostgresBackend({ connectionString: url, schema: namespace });
          await b.migrate();
          return b;
        },
      },
    ];
    const rows: ResultRow[] = [];
    const targets: TargetResult[] = [];
    const checks: string[] = [];
    let verified = true;
    // `BENCH_P10_BACKENDS=redis` (or `postgres`) measures one backend only.
    const only = process.env['BENCH_P10_BACKENDS']?.split(',');
    for (const c of cases.filter((k) => !only || only.includes(k.kind))) {
      const isolated = await c.factory(c.kind === 'redis' ? 'floxide-redis' : 'floxide-postgres');
      const url = (c.kind === 'redis' ? isolated.env.redisUrl : isolated.env.databaseUrl) as string;
      const backend = await c.open(url, isolated.env.namespace);
      const orchestrator = new DistributedOrchestrator({
        backend,
        workflows: [floxideFanOut(), floxideChain(5)],
      });
      const config: FanOutWorkerConfig = {
        backend: c.kind,
        url,
        namespace: isolated.env.namespace,
        concurrency: CONCURRENCY,
      };
      const fleet = new ProcessFleet(
        fanOutWorkerMain,
        'BENCH_FANOUT_CONFIG',
        Array.from({ length: workers }, () => config),
      );
      try {
        await fleet.ready;
        const chain = await measureChain(orchestrator, chainRuns, timeoutMs);
        const chainRss = fleet.takePeak();
        options.log(`  ${c.name}: chain ${Math.round(chain.stepsPerSec)} steps/s`);
        rows.push({
          contender: c.name,
          case: `5-step chain, ${formatNumber(chainRuns)} runs`,
          figure: chain.stepsPerSec,
          unit: 'steps/s',
          note: `${formatNumber(chain.ms / 1000)} s; worker peak RSS ${formatNumber(chainRss / MB)} MB`,
        });
        const measured: FanOutCase[] = [];
        for (const n of sizes) {
          const f = await measureFanOut(orchestrator, fleet, n, timeoutMs);
          measured.push(f);
          const ratio = safeRatio(f.stepsPerSec, chain.stepsPerSec);
          options.log(
            `  ${c.name}: ${n} branches ${f.completed ? 'in' : 'NOT done in'} ${Math.round(f.ms / 1000)} s, ${Math.round(f.stepsPerSec)} steps/s (${ratio.toFixed(2)}× chain), RSS ${Math.round(f.peakRss / MB)} MB`,
          );
          const ok = f.problems.length === 0;
          verified &&= ok && chain.problems.length === 0;
          checks.push(
            `${c.name}, ${formatNumber(n)} branches: ${ok ? 'the join saw every value in order; the runs started beside it completed' : `FAILED — ${f.problems.join('; ')}`}`,
          );
          rows.push({
            contender: c.name,
            case: `fan-out ${formatNumber(n)} → join`,
            figure: f.stepsPerSec,
            unit: 'steps/s',
            note: [
              `${formatNumber(f.ms / 1000)} s${f.completed ? '' : ' (not completed)'}`,
              `${formatNumber(ratio)}× the chain`,
              `worker peak RSS ${formatNumber(f.peakRss / MB)} MB`,
              `${SIDE_RUNS} chains started ${SIDE_DELAY_MS / 1000} s later: median ${formatNumber(median(f.sideMs) / 1000)} s, max ${formatNumber(Math.max(...f.sideMs, 0) / 1000)} s, ${f.sideBeforeFanOut} done before the fan-out`,
            ].join('; '),
          });
          targets.push(
            {
              target: `P10 ${c.name}, ${formatNumber(n)} branches: ≥ 50% of the chain's steps/s`,
              met: f.completed && ratio >= 0.5,
              actual: `${formatNumber(ratio)}× (${formatNumber(f.stepsPerSec)} vs ${formatNumber(chain.stepsPerSec)} steps/s)`,
            },
            {
              target: `P10 ${c.name}, ${formatNumber(n)} branches: worker RSS ≤ 500 MB`,
              met: f.peakRss <= 500 * MB,
              actual: `${formatNumber(f.peakRss / MB)} MB`,
            },
          );
        }
        if (measured.length > 1 && measured.every((m) => m.completed)) {
          const k = growthExponent(measured.map((m) => ({ n: m.n, ms: m.ms })));
          rows.push({
            contender: c.name,
            case: 'growth of time with N',
            figure: k,
            unit: 'exponent',
            note: 'time ∝ N^k between the two sizes (1 = linear)',
          });
        }
      } finally {
        await fleet.stop();
        await backend.close();
        await isolated.dispose();
      }
    }
    const notes = [
      `${workers} worker process(es) at concurrency ${CONCURRENCY} each; each figure is from starting the run to its join's output (steps = N + 2), the chain's from starting ${formatNumber(chainRuns)} 5-step runs to the last one's output, on the same workers.`,
      `Fair progress: ${SIDE_RUNS} 5-step chains are started ${SIDE_DELAY_MS / 1000} s after the fan-out; their time to output is in the note (full fair share is not promised).`,
      `A fan-out not done within ${formatNumber(timeoutMs / 1000)} s counts the steps committed so far and is cancelled. \`--runs\` sets the larger N.`,
    ];
    return { verified, checks, rows, targets, notes };
  },
};
