import { MemoryBackend, type Backend } from '@floxide/distributed';
import { PostgresBackend } from '@floxide/postgres';
import { RedisBackend } from '@floxide/redis';
import { createScratchDatabase } from '../env/postgres-env.js';
import { deleteKeysWithPrefix } from '../env/redis-env.js';
import { uniqueSuffix } from '../env/service-urls.js';
import { runContextFanOut } from '../floxide/context-fan-out.js';
import { growthExponent, safeRatio } from '../measure/stats.js';
import { formatNumber } from '../report/format-number.js';
import type { ResultRow, TargetResult } from '../report/scenario-result.js';
import type { Scenario, ScenarioOptions } from './scenario.js';

const CONCURRENCY = 16;

/** A backend for one measured run, and how to throw it (and its data) away. */
interface BackendCase {
  readonly name: string;
  create(): Promise<{ backend: Backend; dispose(): Promise<void> }>;
}

function backendCases(options: ScenarioOptions): BackendCase[] {
  return [
    {
      name: 'Memory',
      create: async () => {
        const backend = new MemoryBackend();
        return { backend, dispose: () => backend.close() };
      },
    },
    {
      name: 'Redis',
      create: async () => {
        const prefix = `floxide-bench-p11-${uniqueSuffix()}`;
        const backend = new RedisBackend({ connection: options.redisUrl, prefix });
        return {
          backend,
          dispose: async () => {
            await backend.close();
            await deleteKeysWithPrefix(options.redisUrl, `${prefix}:`);
          },
        };
      },
    },
    {
      name: 'Postgres',
      create: async () => {
        const db = await createScratchDatabase(options.databaseUrl, 'p11');
        const backend = new PostgresBackend({
          connectionString: db.url,
          schema: 'bench_p11',
          poolSize: CONCURRENCY + 4,
        });
        await backend.migrate();
        return {
          backend,
          dispose: async () => {
            await backend.close();
            await db.drop();
          },
        };
      },
    },
  ];
}

/**
 * P11: context at scale. A fan-out of N branches, each `hits.add(1)` + `seen.append(i)`, then a join that
 * reads both, versus the same fan-out without context operations; one in-process worker at concurrency 16
 * on each backend. Ratio at the base N, then the context run at growing N to show the time stays linear.
 */
export const p11ContextFanOut: Scenario = {
  id: 'p11',
  title: 'Context at scale: fan-out with counter + eventLog per branch vs no context ops',
  async run(options) {
    const base = options.smoke ? 50 : (options.runs ?? 2_000);
    const sizes = options.smoke ? [base, base * 2] : [base, base * 5, base * 10];
    const rows: ResultRow[] = [];
    const targets: TargetResult[] = [];
    const checks: string[] = [];
    let verified = true;
    // `BENCH_P11_BACKENDS=postgres` (or `memory`, `redis`, comma-separated) measures those backends only.
    const only = process.env['BENCH_P11_BACKENDS']?.toLowerCase().split(',');
    for (const c of backendCases(options).filter((k) => !only || only.includes(k.name.toLowerCase()))) {
      const measure = async (n: number, withContext: boolean) => {
        const { backend, dispose } = await c.create();
        try {
          return await runContextFanOut(backend, { n, withContext, concurrency: CONCURRENCY });
        } finally {
          await dispose();
        }
      };
      const plain = await measure(base, false);
      options.log(
        `  ${c.name}: N = ${formatNumber(base)} without context ops ${formatNumber(plain.ms / 1000)} s`,
      );
      const points: { n: number; ms: number }[] = [];
      const problems = [...plain.problems];
      for (const n of sizes) {
        const run = await measure(n, true);
        problems.push(...run.problems);
        points.push({ n, ms: run.ms });
        options.log(
          `  ${c.name}: N = ${formatNumber(n)} with counter + eventLog ${formatNumber(run.ms / 1000)} s`,
        );
      }
      const ok = problems.length === 0;
      verified &&= ok;
      checks.push(
        `${c.name}: ${ok ? `every run completed; counter and event log exactly N (${sizes.map(formatNumber).join(', ')})` : `FAILED — ${problems.join('; ')}`}`,
      );
      const withCtx = points[0]?.ms ?? Number.NaN;
      const ratio = safeRatio(withCtx, plain.ms);
      rows.push({
        contender: `Floxide ${c.name}`,
        case: `N = ${formatNumber(base)}, no context ops`,
        figure: plain.ms / 1000,
        unit: 's',
      });
      for (const p of points) {
        const perBranch = safeRatio(p.ms, p.n) / safeRatio(withCtx, base);
        rows.push({
          contender: `Floxide ${c.name}`,
          case: `N = ${formatNumber(p.n)}, counter + eventLog`,
          figure: p.ms / 1000,
          unit: 's',
          note:
            p.n === base
              ? `${formatNumber(ratio)}× the no-context run`
              : `time per branch ${formatNumber(perBranch)}× that at N = ${formatNumber(base)}`,
        });
      }
      const exponent = growthExponent(points);
      const last = points[points.length - 1];
      const perBranchLast = last ? safeRatio(last.ms, last.n) / safeRatio(withCtx, base) : Number.NaN;
      targets.push(
        {
          target: `P11 ${c.name}: counter + eventLog at N = ${formatNumber(base)} within 1.5× of no context ops`,
          met: Number.isFinite(ratio) && ratio <= 1.5,
          actual: `${formatNumber(ratio)}× (${formatNumber(withCtx / 1000)} s vs ${formatNumber(plain.ms / 1000)} s)`,
        },
        {
          target: `P11 ${c.name}: linear up to N = ${formatNumber(last?.n ?? base)}`,
          // Linear: time per branch at the largest N at most 1.5× that at the base N.
          met: Number.isFinite(perBranchLast) && perBranchLast <= 1.5,
          actual: `time per branch ${formatNumber(perBranchLast)}× that at N = ${formatNumber(base)}; growth exponent ${formatNumber(exponent)} (1 = linear)`,
        },
      );
    }
    const notes = [
      `One in-process DistributedWorker at concurrency ${CONCURRENCY} per backend, timed from orchestrator.start to wait resolving (the join reads the counter and the whole event log once). A fresh backend (key prefix / scratch database) for every run.`,
      'Linearity: time per branch at the largest N divided by time per branch at the base N (1 = perfectly linear), plus the least-squares growth exponent of time against N.',
    ];
    return { verified, checks, rows, targets, notes };
  },
};
