import { canStartPrivateRedis, startPrivateRedis, type PrivateRedis } from '../env/private-redis.js';
import { databaseXacts, statStatementsLoaded } from '../env/postgres-env.js';
import { commandStats, diffCommandStats } from '../env/redis-env.js';
import { runQueueContender, type QueueRunResult } from '../measure/queue-run.js';
import { formatNumber } from '../report/format-number.js';
import { rowsWithRatios, type Figure } from '../report/rows.js';
import type { ResultRow, TargetResult } from '../report/scenario-result.js';
import type { ContenderId } from '../workers/contender-registry.js';
import { postgresEnvFactory, redisEnvFactory } from './contender-env.js';
import { PRE_STRANDS, queueOnlyCostTarget } from './queue-only-baseline.js';
import type { Scenario, ScenarioOptions } from './scenario.js';
import { floxideSides, strandsNote } from './strands-mode.js';

const SHAPE = { stepsPerRun: 5, concurrency: 16 } as const;

/** Sum of a command-stats map. */
function total(stats: Map<string, number>): number {
  let sum = 0;
  for (const calls of stats.values()) sum += calls;
  return sum;
}

/** The three busiest commands of a diff, for the notes. */
function busiest(stats: Map<string, number>, steps: number): string {
  return [...stats]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([name, calls]) => `${name} ${formatNumber(calls / steps)}`)
    .join(', ');
}

/** Redis costs of one contender. */
interface RedisCost {
  readonly result: QueueRunResult;
  readonly roundTripsPerStep: number;
  readonly serverCallsPerStep: number;
  readonly startCallsPerRun: number;
  readonly top: string;
}

/** Runs one Redis contender with client counters on and `INFO commandstats` snapshots around the worker phase. */
async function redisCost(
  url: string,
  contender: ContenderId,
  runs: number,
  timeoutMs: number,
): Promise<RedisCost> {
  const isolated = await redisEnvFactory(url, SHAPE)(contender);
  try {
    const beforeOpen = await commandStats(url);
    let afterEnqueue = beforeOpen;
    let afterComplete = beforeOpen;
    const result = await runQueueContender({
      contender,
      env: isolated.env,
      runs,
      arrival: { kind: 'backlog' },
      countOps: true,
      timeoutMs,
      afterEnqueue: async () => {
        afterEnqueue = await commandStats(url);
      },
      afterComplete: async () => {
        afterComplete = await commandStats(url);
      },
    });
    const workerPhase = diffCommandStats(afterEnqueue, afterComplete);
    // The snapshots' own INFO calls are not the contender's.
    workerPhase.delete('info');
    const startPhase = diffCommandStats(beforeOpen, afterEnqueue);
    startPhase.delete('info');
    const steps = Math.max(1, result.steps);
    return {
      result,
      roundTripsPerStep: result.ops.redisRoundTrips / steps,
      serverCallsPerStep: total(workerPhase) / steps,
      startCallsPerRun: total(startPhase) / Math.max(1, runs),
      top: busiest(workerPhase, steps),
    };
  } finally {
    await isolated.dispose();
  }
}

/** Postgres costs of one contender. */
interface PostgresCost {
  readonly result: QueueRunResult;
  readonly queriesPerStep: number;
  /** Every transaction of the contender's database over the whole scenario, per step (the P5 figure). */
  readonly xactsPerStep: number;
  /** Those of the worker phase alone (from the backlog enqueued to the worker process stopped), per step. */
  readonly workerXactsPerStep: number;
  /** Those of setup and enqueueing (before the worker started), per run. */
  readonly setupXactsPerRun: number;
  /** The worker's statements by kind, per step, busiest first. */
  readonly top: string;
}

/** How long to wait before reading `pg_stat_database` counters (see {@link settledXacts}). */
interface FlushWaits {
  /** While the orchestrator's idle sessions are open: PostgreSQL 15 flushes an idle session's counters within 10 s. */
  readonly idleMs: number;
  /** Once the sessions that made them ended (they flush on exit). */
  readonly endedMs: number;
}

const FLUSH_WAITS: FlushWaits = { idleMs: 11_000, endedMs: 1_500 };
/**
 * Smoke size checks that the harness runs, not the figures: counters read early may miss a few
 * transactions, and the 11 s idle flush wait made P5 most of the smoke run's time.
 */
const SMOKE_FLUSH_WAITS: FlushWaits = { idleMs: 300, endedMs: 300 };

/**
 * Transactions counted so far in `database` (commits + rollbacks), read after `settleMs` so that sessions
 * flushed them: a session flushes its counters when it ends, an idle one within 10 s (PostgreSQL 15's
 * idle flush interval, also pg's idle-client timeout).
 */
async function settledXacts(adminUrl: string, database: string, settleMs: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  const xacts = await databaseXacts(adminUrl, database);
  return xacts.commits + xacts.rollbacks;
}

/**
 * Runs one Postgres contender in its own database; transactions read from `pg_stat_database` (that
 * database's row only, so the shared server's other clients are not counted) after the enqueueing, after
 * the worker process stopped and after every session closed.
 */
async function postgresCost(
  adminUrl: string,
  contender: ContenderId,
  runs: number,
  timeoutMs: number,
  waits: FlushWaits,
): Promise<PostgresCost> {
  const isolated = await postgresEnvFactory(adminUrl, SHAPE)(contender);
  const database = isolated.database ?? '';
  let afterEnqueue = 0;
  let afterWorker = 0;
  try {
    const result = await runQueueContender({
      contender,
      env: isolated.env,
      runs,
      arrival: { kind: 'backlog' },
      countOps: true,
      timeoutMs,
      afterEnqueue: async () => {
        afterEnqueue = await settledXacts(adminUrl, database, waits.idleMs);
      },
      afterWorkerStop: async () => {
        afterWorker = await settledXacts(adminUrl, database, waits.endedMs);
      },
    });
    const total = await settledXacts(adminUrl, database, waits.endedMs);
    const steps = Math.max(1, result.steps);
    const top = Object.entries(result.ops.pgByKind)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([kind, n]) => `${kind} ${formatNumber(n / steps)}`)
      .join(', ');
    return {
      result,
      queriesPerStep: result.ops.pgQueries / steps,
      xactsPerStep: total / steps,
      workerXactsPerStep: (afterWorker - afterEnqueue) / steps,
      setupXactsPerRun: afterEnqueue / Math.max(1, runs),
      top,
    };
  } finally {
    await isolated.dispose();
  }
}

/** P5: what one committed step costs the store — Redis round trips and server calls, Postgres transactions. */
export const p5CostPerStep: Scenario = {
  id: 'p5',
  title: 'Cost per committed step: Redis round trips and server calls, Postgres transactions and statements',
  async run(options: ScenarioOptions) {
    const runs = options.runs ?? (options.smoke ? 10 : 500);
    const timeoutMs = options.smoke ? 60_000 : 300_000;
    const checks: string[] = [];
    const notes: string[] = [];
    let verified = true;
    const check = (label: string, r: QueueRunResult): void => {
      const ok = r.problems.length === 0;
      verified &&= ok;
      checks.push(
        `${label}: ${ok ? `${r.runsDone} runs, ${r.steps} steps, all correct` : `FAILED — ${r.problems.join('; ')}`}`,
      );
    };

    const redisSides = floxideSides(
      { strands: 'floxide-redis', queueOnly: 'floxide-redis-queue-only' },
      options.strands,
    );
    const pgSides = floxideSides(
      { strands: 'floxide-postgres', queueOnly: 'floxide-postgres-queue-only' },
      options.strands,
    );
    let privateRedis: PrivateRedis | undefined;
    if (canStartPrivateRedis()) privateRedis = await startPrivateRedis();
    const redisUrl = privateRedis?.url ?? options.redisUrl;
    const redis = new Map<ContenderId, RedisCost>();
    try {
      for (const contender of [redisSides.floxide, ...redisSides.extra, 'bullmq-chain'] as const) {
        const cost = await redisCost(redisUrl, contender, runs, timeoutMs);
        check(cost.result.label, cost.result);
        options.log(
          `  ${contender}: ${cost.roundTripsPerStep.toFixed(2)} round trips/step, ${cost.serverCallsPerStep.toFixed(2)} server calls/step`,
        );
        notes.push(
          `${cost.result.label}: busiest server commands per step — ${cost.top}; starting a run costs ${formatNumber(cost.startCallsPerRun)} server calls.`,
        );
        redis.set(contender, cost);
      }
    } finally {
      await privateRedis?.stop();
    }
    const pgPeers = [...pgSides.extra, 'graphile-chain', 'pgboss-chain'] as const;
    const pgContenders = [pgSides.floxide, ...pgPeers] as const;
    const postgres = new Map<ContenderId, PostgresCost>();
    for (const contender of pgContenders) {
      const cost = await postgresCost(
        options.databaseUrl,
        contender,
        runs,
        timeoutMs,
        options.smoke ? SMOKE_FLUSH_WAITS : FLUSH_WAITS,
      );
      check(cost.result.label, cost.result);
      options.log(
        `  ${contender}: ${cost.queriesPerStep.toFixed(2)} queries/step, ${cost.xactsPerStep.toFixed(2)} transactions/step (worker phase ${cost.workerXactsPerStep.toFixed(2)})`,
      );
      notes.push(
        `${cost.result.label}: ${formatNumber(cost.workerXactsPerStep)} transactions per step in the worker phase, ${formatNumber(cost.setupXactsPerRun)} per run before it (setup and enqueueing); the worker's statements per step — ${cost.top}.`,
      );
      postgres.set(contender, cost);
    }

    const fig = <T extends { result: QueueRunResult }>(
      map: Map<ContenderId, T>,
      id: ContenderId,
      value: (c: T) => number,
      rowCase: string,
    ): Figure => {
      const c = map.get(id);
      return { contender: c?.result.label ?? id, case: rowCase, figure: c ? value(c) : Number.NaN };
    };
    const rows: ResultRow[] = [
      ...rowsWithRatios({
        floxide: [fig(redis, redisSides.floxide, (c) => c.roundTripsPerStep, 'Redis round trips (client)')],
        others: [...redisSides.extra, 'bullmq-chain' as const].map((id) =>
          fig(redis, id, (c) => c.roundTripsPerStep, 'Redis round trips (client)'),
        ),
        unit: 'per step',
        higherIsBetter: false,
      }),
      ...rowsWithRatios({
        floxide: [fig(redis, redisSides.floxide, (c) => c.serverCallsPerStep, 'Redis server calls')],
        others: [...redisSides.extra, 'bullmq-chain' as const].map((id) =>
          fig(redis, id, (c) => c.serverCallsPerStep, 'Redis server calls'),
        ),
        unit: 'per step',
        higherIsBetter: false,
      }),
      ...rowsWithRatios({
        floxide: [fig(postgres, pgSides.floxide, (c) => c.xactsPerStep, 'Postgres transactions')],
        others: pgPeers.map((id) => fig(postgres, id, (c) => c.xactsPerStep, 'Postgres transactions')),
        unit: 'per step',
        higherIsBetter: false,
      }),
      ...rowsWithRatios({
        floxide: [
          fig(postgres, pgSides.floxide, (c) => c.workerXactsPerStep, 'Postgres transactions, worker phase'),
        ],
        others: pgPeers.map((id) =>
          fig(postgres, id, (c) => c.workerXactsPerStep, 'Postgres transactions, worker phase'),
        ),
        unit: 'per step',
        higherIsBetter: false,
      }),
      ...rowsWithRatios({
        floxide: [fig(postgres, pgSides.floxide, (c) => c.queriesPerStep, 'Postgres statements (client)')],
        others: pgPeers.map((id) =>
          fig(postgres, id, (c) => c.queriesPerStep, 'Postgres statements (client)'),
        ),
        unit: 'per step',
        higherIsBetter: false,
      }),
    ];
    const floxideRedis = redis.get(redisSides.floxide);
    const floxidePostgres = postgres.get(pgSides.floxide);
    const atMost = (target: string, value: number | undefined, max: number, unit: string): TargetResult => ({
      target,
      met: (value ?? Number.POSITIVE_INFINITY) <= max,
      actual: `${formatNumber(value ?? Number.NaN)} ${unit}`,
    });
    const redisQueueOnly = options.strands === 'on' ? undefined : redis.get('floxide-redis-queue-only');
    const pgQueueOnly = options.strands === 'on' ? undefined : postgres.get('floxide-postgres-queue-only');
    const targets: TargetResult[] = [
      atMost(
        'P5 ≤ 1.5 Redis round trips per step',
        floxideRedis?.roundTripsPerStep,
        1.5,
        'round trips per step',
      ),
      atMost(
        'P5 ≤ 25 Redis server calls per step',
        floxideRedis?.serverCallsPerStep,
        25,
        'server calls per step',
      ),
      atMost(
        'P5 ≤ 1.1 Postgres transactions per step',
        floxidePostgres?.xactsPerStep,
        1.1,
        'transactions per step',
      ),
      ...(redisQueueOnly
        ? [
            queueOnlyCostTarget(
              'P5 Redis round trips per step',
              redisQueueOnly.roundTripsPerStep,
              PRE_STRANDS.p5RedisRoundTrips,
            ),
            queueOnlyCostTarget(
              'P5 Redis server calls per step',
              redisQueueOnly.serverCallsPerStep,
              PRE_STRANDS.p5RedisServerCalls,
            ),
          ]
        : []),
      ...(pgQueueOnly
        ? [
            queueOnlyCostTarget(
              'P5 Postgres transactions per step',
              pgQueueOnly.xactsPerStep,
              PRE_STRANDS.p5PostgresTransactions,
            ),
          ]
        : []),
    ];
    const statStatements = await statStatementsLoaded(options.databaseUrl).catch(() => false);
    notes.unshift(
      `${runs} runs × 5 steps per contender, all enqueued first, one worker process at concurrency 16.`,
      strandsNote(options.strands),
      'Redis round trips: counted in the worker process by wrapping ioredis `Redis#sendCommand` (a command sent on its own = 1) and `Pipeline#exec` (a pipeline or MULTI batch = 1, its commands not counted again), between the worker being ready and the last run finishing. Blocking waits (BZPOPMIN and the like) count too.',
      `Redis server calls: \`INFO commandstats\` deltas over the worker phase (every command, calls made inside Lua scripts included; the snapshots' own INFO excluded) on ${privateRedis ? 'a private redis-server started for this scenario, so no other client is counted' : 'the shared server (no redis-server binary to start a private one: other clients may add noise)'}.`,
      `Postgres transactions: \`pg_stat_database\` xact_commit + xact_rollback of the scratch database each contender gets (its row only: the shared server's other databases and clients are not counted), read after every session closed — so the P5 figure includes setup, migrations, enqueueing ${runs} runs and the final check, spread over the steps; the worker-phase row counts from the backlog enqueued to the worker process stopped. Both count every transaction the server ran in that database: each new connection's start-up, and each wake-up of a LISTENing session, which reads the notification queue in a transaction of its own. Statements: pg \`Client#query\` calls in the worker process (one round trip each). pg_stat_statements is ${statStatements ? 'loaded but not used (client counts are per process)' : 'not loaded (it needs shared_preload_libraries and a server restart, which would disturb the shared server)'}.`,
    );
    return { verified, checks, rows, targets, notes };
  },
};
