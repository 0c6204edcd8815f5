import { MemoryBackend, type Backend, type RunListQuery } from '@floxide/distributed';
import { PostgresBackend } from '@floxide/postgres';
import { RedisBackend } from '@floxide/redis';
import { Redis } from 'ioredis';
import pg from 'pg';
import { canStartPrivateRedis, startPrivateRedis } from '../env/private-redis.js';
import { createScratchDatabase } from '../env/postgres-env.js';
import { deleteKeysWithPrefix } from '../env/redis-env.js';
import { uniqueSuffix } from '../env/service-urls.js';
import { explainList } from '../lists/explain-postgres.js';
import { expectedIds, listCases, type ListCase } from '../lists/list-queries.js';
import { loadMemory, loadPostgres, loadRedis } from '../lists/load-runs.js';
import { syntheticRuns, type SyntheticRun } from '../lists/synthetic-runs.js';
import { median } from '../measure/stats.js';
import { formatNumber } from '../report/format-number.js';
import type { ResultRow, TargetResult } from '../report/scenario-result.js';
import type { Scenario, ScenarioOptions } from './scenario.js';

/** The brief's bound on a page of any list, with a million runs stored. */
const TARGET_MS = 50;
/** Timed repetitions of each list (after one warm-up); the median is the figure, the max is noted. */
const REPEAT = 7;

interface Timing {
  readonly name: string;
  readonly targeted: boolean;
  readonly medianMs: number;
  readonly maxMs: number;
  readonly correct: boolean;
}

/** The query of a case, with the first page's cursor when the case times the second page. */
async function queryOf(backend: Backend, c: ListCase): Promise<RunListQuery> {
  if (!c.secondPage) return c.query;
  const first = await backend.runs.list(c.query);
  return first.nextCursor === undefined ? c.query : { ...c.query, cursor: first.nextCursor };
}

/** Times one page of every list on a loaded backend and checks each page against the synthetic store. */
async function timeLists(
  backend: Backend,
  runs: readonly SyntheticRun[],
  cases: readonly ListCase[],
): Promise<Timing[]> {
  const timings: Timing[] = [];
  for (const c of cases) {
    const query = await queryOf(backend, c);
    const page = await backend.runs.list(query);
    const expected = expectedIds(runs, c);
    const correct = JSON.stringify(page.runs.map((r) => r.runId)) === JSON.stringify(expected);
    const samples: number[] = [];
    for (let i = 0; i < REPEAT; i += 1) {
      const started = performance.now();
      await backend.runs.list(query);
      samples.push(performance.now() - started);
    }
    timings.push({
      name: c.name,
      targeted: c.targeted,
      medianMs: median(samples),
      maxMs: Math.max(...samples),
      correct,
    });
  }
  return timings;
}

interface SideResult {
  readonly label: string;
  readonly loadMs: number;
  readonly loadNote: string;
  readonly timings: Timing[];
  readonly plans?: string[];
}

async function memorySide(runs: readonly SyntheticRun[], cases: readonly ListCase[]): Promise<SideResult> {
  const backend = new MemoryBackend();
  try {
    const started = performance.now();
    await loadMemory(backend, runs);
    const loadMs = performance.now() - started;
    return {
      label: 'Memory',
      loadMs,
      loadNote: 'startRun, lease + commit / control per run',
      timings: await timeLists(backend, runs, cases),
    };
  } finally {
    await backend.close();
  }
}

async function redisSide(
  url: string,
  runs: readonly SyntheticRun[],
  cases: readonly ListCase[],
): Promise<SideResult> {
  const prefix = `floxide-bench-${uniqueSuffix()}-p13`;
  const backend = new RedisBackend({ connection: url, prefix });
  const client = new Redis(url);
  try {
    const started = performance.now();
    const { hashesMs, indexesMs } = await loadRedis(backend, client, runs);
    return {
      label: 'Redis',
      loadMs: performance.now() - started,
      loadNote: `pipelined run hashes and multi-member index ZADDs; building the index entries ${formatNumber(indexesMs / 1000)} s, the rest ${formatNumber(hashesMs / 1000)} s`,
      timings: await timeLists(backend, runs, cases),
    };
  } finally {
    await backend.close();
    await deleteKeysWithPrefix(url, prefix);
    await client.quit();
  }
}

async function postgresSide(
  adminUrl: string,
  runs: readonly SyntheticRun[],
  cases: readonly ListCase[],
): Promise<SideResult> {
  const db = await createScratchDatabase(adminUrl, 'p13');
  const schema = 'bench_p13';
  const backend = new PostgresBackend({ connectionString: db.url, schema });
  try {
    const started = performance.now();
    await loadPostgres(backend, db.url, schema, runs);
    const loadMs = performance.now() - started;
    const timings = await timeLists(backend, runs, cases);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const plans: string[] = [];
    try {
      for (const c of cases) plans.push(`${c.name}: ${await explainList(client, schema, c)}`);
    } finally {
      await client.end();
    }
    return { label: 'Postgres', loadMs, loadNote: 'batched INSERT … unnest, then ANALYZE', timings, plans };
  } finally {
    await backend.close();
    await db.drop();
  }
}

/** P13: a page of every runs list the dashboard and CLI show, with a million runs stored. */
export const p13RunLists: Scenario = {
  id: 'p13',
  title: 'Run lists with 1,000,000 runs stored: one page (50) of each list, per backend',
  async run(options: ScenarioOptions) {
    const count = options.runs ?? (options.smoke ? 2_000 : 1_000_000);
    const now = Date.now();
    const runs = syntheticRuns(count, now);
    const cases = listCases(runs, now);
    const sides: SideResult[] = [];
    options.log(`  ${formatNumber(count)} runs per backend`);
    // Each side's figures are logged as soon as it finishes: a million-run fill takes minutes on a busy
    // machine, and the figures of the sides done so far should not wait for the others.
    const done = (side: SideResult): void => {
      sides.push(side);
      options.log(`  ${side.label} loaded in ${formatNumber(side.loadMs / 1000)} s (${side.loadNote})`);
      for (const t of side.timings) {
        options.log(
          `    ${t.name}: median ${formatNumber(t.medianMs)} ms, max ${formatNumber(t.maxMs)} ms${t.correct ? '' : ' WRONG'}`,
        );
      }
    };
    // `BENCH_P13_BACKENDS=redis` (or `postgres`, `memory`, comma-separated) measures those backends only.
    const only = process.env['BENCH_P13_BACKENDS']?.split(',');
    const wanted = (name: string): boolean => only === undefined || only.includes(name);
    const privateRedis = wanted('redis') && canStartPrivateRedis() ? await startPrivateRedis() : undefined;
    try {
      if (wanted('redis')) done(await redisSide(privateRedis?.url ?? options.redisUrl, runs, cases));
    } finally {
      await privateRedis?.stop();
    }
    if (wanted('postgres')) done(await postgresSide(options.databaseUrl, runs, cases));
    if (wanted('memory')) done(await memorySide(runs, cases));

    const rows: ResultRow[] = [];
    const targets: TargetResult[] = [];
    const checks: string[] = [];
    const notes: string[] = [
      `${formatNumber(count)} runs over 30 days, 10 workflows, 80% completed / 5% failed / 5% cancelled / 5% running / 4% queued / 1% paused; random hex run ids`,
      `figure: median of ${REPEAT} timed calls of runs.list (one page of 50, parsed records) after one warm-up; the note gives the slowest`,
      privateRedis
        ? 'Redis: a private redis-server started for the scenario and stopped after it'
        : 'Redis: the shared server, keys deleted after',
    ];
    for (const side of sides) {
      notes.push(`${side.label} load: ${formatNumber(side.loadMs / 1000)} s (${side.loadNote})`);
      for (const t of side.timings) {
        rows.push({
          contender: side.label,
          case: t.name,
          figure: t.medianMs,
          unit: 'ms',
          note: `max ${formatNumber(t.maxMs)} ms`,
        });
      }
      const wrong = side.timings.filter((t) => !t.correct).map((t) => t.name);
      checks.push(
        wrong.length === 0
          ? `${side.label}: every page equals the expected runs, in order`
          : `${side.label}: WRONG pages — ${wrong.join(', ')}`,
      );
      const targeted = side.timings.filter((t) => t.targeted);
      const worst = targeted.reduce((a, b) => (b.medianMs > a.medianMs ? b : a), targeted[0] as Timing);
      targets.push({
        target: `every list answers a page in < ${TARGET_MS} ms (${side.label})`,
        met: targeted.every((t) => t.medianMs < TARGET_MS),
        actual: `slowest median ${formatNumber(worst.medianMs)} ms (${worst.name})`,
      });
      for (const plan of side.plans ?? []) notes.push(`Postgres plan, ${plan}`);
    }
    return {
      verified: sides.every((s) => s.timings.every((t) => t.correct)),
      checks,
      rows,
      targets,
      notes,
    };
  },
};
