import { DistributedOrchestrator, FeedSubscription, type Backend, type RunInfo } from '@floxide/distributed';
import { PostgresBackend } from '@floxide/postgres';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { RedisBackend } from '@floxide/redis';
import { canStartPrivateRedis, startPrivateRedis, type PrivateRedis } from '../env/private-redis.js';
import { createScratchDatabase } from '../env/postgres-env.js';
import { commandStats, deleteKeysWithPrefix, diffCommandStats } from '../env/redis-env.js';
import { uniqueSuffix } from '../env/service-urls.js';
import { floxideQueueChain } from '../floxide/queue-chain-workflow.js';
import { installOpCounters, snapshotOpCounts } from '../measure/op-counters.js';
import { percentile } from '../measure/stats.js';
import { formatNumber } from '../report/format-number.js';
import type { ResultRow, TargetResult } from '../report/scenario-result.js';
import type { ContenderEnv } from '../workers/queue-contender.js';
import { spawnWorker, type WorkerHandle } from '../workers/spawn-worker.js';
import type { Scenario, ScenarioOptions } from './scenario.js';

const SHAPE = { stepsPerRun: 5, concurrency: 16 } as const;
/** Runs started per `Promise.all` batch. */
const START_BATCH = 200;

/** What waiting cost on one backend. */
interface WaitCost {
  readonly label: string;
  /** Requests this process sent while every run waited and nothing moved (client-side count). */
  readonly idleClientPerSec: number;
  /** Commands the server processed in that window (Redis on a private server only). */
  readonly idleServerPerSec?: number;
  /**
   * Final commit → `wait` resolved in this process, per run: from the server's clock when the final commit had
   * taken effect (Redis: the feed entry's id; Postgres: the end of its COMMIT, see `p12-stamps.sql`).
   */
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** Final commit → the process first heard of it (feed event or finished-run hint), p50 and p99. */
  readonly feedMs: readonly [number, number];
  /** Postgres: the same latency from the start of the final COMMIT (its WAL flush included), p50 and p99. */
  readonly fromCommitStartMs?: readonly [number, number];
  /** Postgres: runs whose `wait` returned the record stamped at the end of the COMMIT (the others err high). */
  readonly stampedRuns?: number;
  /** Feed event handed over → `wait` resolved (the waiter's run-record read), p50 and p99. */
  readonly resolveMs: readonly [number, number];
  readonly problems: string[];
}

interface BackendSide {
  readonly label: string;
  readonly contender: 'floxide-redis' | 'floxide-postgres';
  readonly env: ContenderEnv;
  create(): Promise<Backend>;
  /** Server commands so far (Redis, private server), else undefined. */
  serverCommands?(): Promise<number>;
  /**
   * Postgres only: the server's clock at the start of each run's final COMMIT, by run id (a bench-only
   * deferred trigger, see `p12-stamps.sql`). With it, the end of the COMMIT is read from the `finishedAt` of
   * the record `wait` returned, which the bench-only wrapper of the notice send stamped; Redis reads its
   * commit from the feed entry's id instead.
   */
  commitStarts?(): Promise<Map<string, number>>;
  /** Client requests so far in this process. */
  clientRequests(): number;
  dispose(): Promise<void>;
}

/**
 * The server's clock (ms) at a Redis feed event's commit: its position is the last stream id read from each
 * shard (`<ms>-<n>`, joined by `,`), and a page hands events over in stream-id order, so the newest id in the
 * position after an event is the event's own (one server, one clock). `undefined` for any other position
 * (Postgres).
 */
function streamMs(position: string): number | undefined {
  const ids = position.split(',');
  if (!ids.every((id) => /^\d+-\d+$/.test(id))) return undefined;
  return Math.max(...ids.map((id) => Number(id.slice(0, id.indexOf('-')))));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts `runs` runs, waits on all of them idle for `idleMs`, then lets a worker process finish them. */
async function measureWaiting(
  side: BackendSide,
  runs: number,
  idleMs: number,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<WaitCost> {
  const backend = await side.create();
  const wf = floxideQueueChain(side.env.stepsPerRun);
  const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
  let worker: WorkerHandle | undefined;
  try {
    const runIds: string[] = [];
    for (let first = 0; first < runs; first += START_BATCH) {
      const count = Math.min(START_BATCH, runs - first);
      runIds.push(
        ...(await Promise.all(
          Array.from({ length: count }, (_, i) => orchestrator.start(wf, { run: first + i })),
        )),
      );
    }
    const resolvedAt: number[] = new Array<number>(runs).fill(Number.NaN);
    // Redis stamps every feed entry with the server's clock at the commit (the stream id's milliseconds):
    // the exact moment the final commit happened, independent of the worker's own delays.
    const committedAt = new Map<string, number>();
    // When this process first heard of each run's final commit (the shared reader handing its final event
    // to listeners, or a finished-run hint): splits the latency into "commit → feed" and "feed → wait
    // resolved" (the waiter's run-record read).
    const dispatchedAt = new Map<string, number>();
    const registration = FeedSubscription.of(backend.feed).subscribe({
      onEvent: (event) => {
        if (event.type !== 'run.status' || event.status !== 'completed') return;
        if (!dispatchedAt.has(event.runId)) dispatchedAt.set(event.runId, Date.now());
        const ms = streamMs(event.position);
        if (ms !== undefined) committedAt.set(event.runId, ms);
      },
    });
    // Postgres hints at finished runs before its ordered feed delivers them (`onRunsFinished`): the first
    // notice of a final commit is whichever comes first.
    const stopHints = backend.feed.onRunsFinished?.((ids) => {
      const now = Date.now();
      for (const runId of ids) if (!dispatchedAt.has(runId)) dispatchedAt.set(runId, now);
    });
    const waits = runIds.map((runId, i) =>
      orchestrator.wait(runId, { timeoutMs }).then((info: RunInfo) => {
        resolvedAt[i] = Date.now();
        return info;
      }),
    );
    // Each waiter reads its run once when it starts: let those reads finish before the idle window (on a
    // loaded machine they take seconds), i.e. until a whole second passes with almost no request.
    const settleUntil = Date.now() + 60_000;
    for (let last = side.clientRequests(); Date.now() < settleUntil;) {
      await sleep(1_000);
      const now = side.clientRequests();
      if (now - last <= 5) break;
      last = now;
    }
    const clientBefore = side.clientRequests();
    const serverBefore = await side.serverCommands?.();
    await sleep(idleMs);
    const clientAfter = side.clientRequests();
    const serverAfter = await side.serverCommands?.();
    const seconds = idleMs / 1000;
    const idleClientPerSec = (clientAfter - clientBefore) / seconds;
    const idleServerPerSec =
      serverBefore === undefined || serverAfter === undefined
        ? undefined
        : (serverAfter - serverBefore) / seconds;
    log(
      `  ${side.label}: ${runs} waiters idle for ${seconds} s → ${idleClientPerSec.toFixed(2)} requests/s from this process${idleServerPerSec === undefined ? '' : `, ${idleServerPerSec.toFixed(2)} commands/s on the server`}`,
    );

    // The load: one worker process at concurrency 16 runs every waiting run (the P3 worker shape).
    worker = spawnWorker(
      {
        contender: side.contender,
        env: side.env,
        expectedRuns: runs,
        recordLatency: false,
        countOps: false,
        progressMs: 250,
      },
      { timeoutMs },
    );
    await worker.ready;
    const loadStart = Date.now();
    const loadRequestsBefore = side.clientRequests();
    const infos = await Promise.all(waits);
    const loadSeconds = Math.max(0.001, (Date.now() - loadStart) / 1000);
    const loadClientPerSec = (side.clientRequests() - loadRequestsBefore) / loadSeconds;
    log(
      `  ${side.label}: while the worker finished them: ${loadClientPerSec.toFixed(1)} requests/s from this process over ${loadSeconds.toFixed(1)} s`,
    );
    registration.close();
    stopHints?.();
    await worker.complete;
    await worker.stop({ timeoutMs: 30_000 });
    worker = undefined;
    const problems: string[] = [];
    const notCompleted = infos.filter((info) => info.status !== 'completed').length;
    if (notCompleted > 0) problems.push(`${notCompleted} run(s) did not complete`);
    const commitStarts = await side.commitStarts?.();
    let stampedRuns: number | undefined;
    if (commitStarts) {
      stampedRuns = 0;
      for (const info of infos) {
        const start = commitStarts.get(info.runId);
        if (start === undefined) continue;
        // The stamped record's finishedAt is at or after the start of its COMMIT; a record the waiter read
        // has the stored one, from before it: measure that run from the start of its COMMIT (errs high).
        const stamped = info.finishedAt !== undefined && info.finishedAt >= start;
        if (stamped) stampedRuns += 1;
        committedAt.set(info.runId, stamped ? (info.finishedAt ?? start) : start);
      }
    }
    const serverStamped = committedAt.size === runs;
    const latencies = infos
      .map((info, i) => {
        const committed = serverStamped ? committedAt.get(info.runId) : info.finishedAt;
        return (resolvedAt[i] ?? Number.NaN) - (committed ?? Number.NaN);
      })
      .filter(Number.isFinite);
    if (latencies.length !== runs)
      problems.push(`${runs - latencies.length} run(s) without a latency sample`);
    const fromCommitStart = commitStarts
      ? infos
          .map((info, i) => (resolvedAt[i] ?? Number.NaN) - (commitStarts.get(info.runId) ?? Number.NaN))
          .filter(Number.isFinite)
      : [];
    const fromCommitStartMs =
      fromCommitStart.length > 0
        ? ([percentile(fromCommitStart, 50), percentile(fromCommitStart, 99)] as const)
        : undefined;
    const latencyP50Ms = percentile(latencies, 50);
    const latencyP99Ms = percentile(latencies, 99);
    const feedLatencies: number[] = [];
    const resolveLatencies: number[] = [];
    infos.forEach((info, i) => {
      const committed = serverStamped ? committedAt.get(info.runId) : info.finishedAt;
      const dispatched = dispatchedAt.get(info.runId);
      if (committed === undefined || dispatched === undefined) return;
      feedLatencies.push(dispatched - committed);
      resolveLatencies.push((resolvedAt[i] ?? Number.NaN) - dispatched);
    });
    const feedMs = [percentile(feedLatencies, 50), percentile(feedLatencies, 99)] as const;
    const resolveMs = [percentile(resolveLatencies, 50), percentile(resolveLatencies, 99)] as const;
    log(
      `  ${side.label}: final commit (${serverStamped ? 'server clock' : 'finishedAt'}) → wait resolved p50 ${latencyP50Ms.toFixed(1)} ms, p99 ${latencyP99Ms.toFixed(1)} ms (commit → feed p50 ${feedMs[0].toFixed(1)} / p99 ${feedMs[1].toFixed(1)} ms; feed → resolved p50 ${resolveMs[0].toFixed(1)} / p99 ${resolveMs[1].toFixed(1)} ms)${fromCommitStartMs === undefined ? '' : `; from the start of the final COMMIT p50 ${fromCommitStartMs[0].toFixed(1)} / p99 ${fromCommitStartMs[1].toFixed(1)} ms; ${stampedRuns ?? 0} of ${runs} records stamped at the end of the COMMIT`}`,
    );
    return {
      label: side.label,
      idleClientPerSec,
      ...(idleServerPerSec === undefined ? {} : { idleServerPerSec }),
      latencyP50Ms,
      latencyP99Ms,
      feedMs,
      resolveMs,
      ...(fromCommitStartMs === undefined ? {} : { fromCommitStartMs }),
      ...(stampedRuns === undefined ? {} : { stampedRuns }),
      problems,
    };
  } finally {
    worker?.kill();
    await backend.close();
  }
}

function redisSide(url: string, isPrivate: boolean): BackendSide {
  const namespace = `floxide-bench-${uniqueSuffix()}-p12`;
  const env: ContenderEnv = { redisUrl: url, namespace, ...SHAPE };
  return {
    label: 'Floxide on Redis',
    contender: 'floxide-redis',
    env,
    create: async () => new RedisBackend({ connection: url, prefix: namespace }),
    clientRequests: () => snapshotOpCounts().redisRoundTrips,
    ...(isPrivate
      ? {
          async serverCommands() {
            // INFO's own calls (the snapshots) are not the waiters'.
            const stats = diffCommandStats(new Map(), await commandStats(url));
            stats.delete('info');
            let sum = 0;
            for (const calls of stats.values()) sum += calls;
            return sum;
          },
        }
      : {}),
    dispose: async () => {
      await deleteKeysWithPrefix(url, namespace);
    },
  };
}

/** The bench-only stamps of `p12-stamps.sql` for the Floxide schema `schema`. */
function stampsSql(schema: string): string {
  return readFileSync(new URL('./p12-stamps.sql', import.meta.url), 'utf8').replaceAll('{{schema}}', schema);
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** A stamp table of {@link stampsSql}: run id → epoch ms. */
function readStamps(url: string, table: string): Promise<Map<string, number>> {
  return withClient(url, async (client) => {
    const result = await client.query<{ run_id: string; at: number }>(`select run_id, at from ${table}`);
    return new Map(result.rows.map((row) => [row.run_id, Math.floor(row.at)]));
  });
}

async function postgresSide(adminUrl: string): Promise<BackendSide> {
  const db = await createScratchDatabase(adminUrl, 'p12');
  const env: ContenderEnv = { databaseUrl: db.url, namespace: 'bench_p12', ...SHAPE };
  return {
    label: 'Floxide on Postgres',
    contender: 'floxide-postgres',
    env,
    async create() {
      const backend = new PostgresBackend({ connectionString: db.url, schema: env.namespace });
      await backend.migrate();
      await withClient(db.url, (client) => client.query(stampsSql(env.namespace)));
      return backend;
    },
    commitStarts: () => readStamps(db.url, `"${env.namespace}".bench_commit_starts`),
    clientRequests: () => snapshotOpCounts().pgQueries,
    dispose: () => db.drop(),
  };
}

function target(
  label: string,
  name: string,
  value: number | undefined,
  max: number,
  unit: string,
): TargetResult {
  const measured = value !== undefined && Number.isFinite(value);
  return {
    target: `${name} (${label})`,
    met: measured && value <= max,
    actual: measured ? `${formatNumber(value)} ${unit}` : 'not measured',
  };
}

/** P12: what `wait` costs — idle requests/s with thousands of waiters, and commit → resolve latency under load. */
export const p12WaitCost: Scenario = {
  id: 'p12',
  title:
    'Waiting: 5,000 runs awaited with no progress (requests/s), then final commit → wait resolved under load',
  async run(options: ScenarioOptions) {
    installOpCounters();
    const runs = options.runs ?? (options.smoke ? 50 : 5_000);
    const idleMs = options.smoke ? 1_000 : 10_000;
    // Generous: on a 2-core machine shared with other work, one worker needs minutes for 5,000 runs.
    const timeoutMs = options.smoke ? 60_000 : 900_000;
    const results: WaitCost[] = [];
    const notes: string[] = [];

    // `BENCH_P12_BACKENDS=redis` (or `postgres`) measures one backend only.
    const only = process.env['BENCH_P12_BACKENDS']?.toLowerCase().split(',');
    if (!only || only.includes('redis')) {
      let privateRedis: PrivateRedis | undefined;
      if (canStartPrivateRedis()) privateRedis = await startPrivateRedis();
      const redis = redisSide(privateRedis?.url ?? options.redisUrl, privateRedis !== undefined);
      try {
        results.push(await measureWaiting(redis, runs, idleMs, timeoutMs, options.log));
      } finally {
        await redis.dispose().catch(() => undefined);
        await privateRedis?.stop();
      }
    }
    if (!only || only.includes('postgres')) {
      const postgres = await postgresSide(options.databaseUrl);
      try {
        results.push(await measureWaiting(postgres, runs, idleMs, timeoutMs, options.log));
      } finally {
        await postgres.dispose();
      }
    }

    const rows: ResultRow[] = [];
    const targets: TargetResult[] = [];
    const checks: string[] = [];
    for (const r of results) {
      checks.push(
        `${r.label}: ${r.problems.length === 0 ? `${runs} runs awaited and completed` : `FAILED — ${r.problems.join('; ')}`}`,
      );
      rows.push({
        contender: r.label,
        case: `idle, ${formatNumber(runs)} waiters (client)`,
        figure: r.idleClientPerSec,
        unit: 'requests/s',
      });
      if (r.idleServerPerSec !== undefined) {
        rows.push({
          contender: r.label,
          case: `idle, ${formatNumber(runs)} waiters (server)`,
          figure: r.idleServerPerSec,
          unit: 'commands/s',
        });
      }
      rows.push({ contender: r.label, case: 'final commit → wait, p50', figure: r.latencyP50Ms, unit: 'ms' });
      rows.push({ contender: r.label, case: 'final commit → wait, p99', figure: r.latencyP99Ms, unit: 'ms' });
      rows.push({
        contender: r.label,
        case: 'of which commit → first notice, p50',
        figure: r.feedMs[0],
        unit: 'ms',
      });
      rows.push({
        contender: r.label,
        case: 'of which commit → first notice, p99',
        figure: r.feedMs[1],
        unit: 'ms',
      });
      if (r.fromCommitStartMs !== undefined) {
        rows.push({
          contender: r.label,
          case: 'start of the final COMMIT → wait, p50 (its WAL flush included)',
          figure: r.fromCommitStartMs[0],
          unit: 'ms',
        });
        rows.push({
          contender: r.label,
          case: 'start of the final COMMIT → wait, p99 (its WAL flush included)',
          figure: r.fromCommitStartMs[1],
          unit: 'ms',
        });
      }
      if (r.stampedRuns !== undefined) {
        rows.push({
          contender: r.label,
          case: 'runs measured from the end of their COMMIT',
          figure: r.stampedRuns,
          unit: 'runs',
        });
      }
      const idle = Math.max(r.idleClientPerSec, r.idleServerPerSec ?? 0);
      targets.push(target(r.label, 'P12 idle waiting ≤ 20 requests/s', idle, 20, 'requests/s'));
      targets.push(target(r.label, 'P12 final commit → wait p50 ≤ 5 ms', r.latencyP50Ms, 5, 'ms'));
      targets.push(target(r.label, 'P12 final commit → wait p99 ≤ 50 ms', r.latencyP99Ms, 50, 'ms'));
    }
    notes.push(
      `${formatNumber(runs)} runs of the 5-step chain started with no worker, \`wait\` called on every one; after their first read settles, requests from this process are counted for ${idleMs / 1000} s (Redis: client round trips, and on a private redis-server every command the server processed; Postgres: \`pg.Client#query\` calls of this process, LISTEN connection included). Before the change feed each waiter polled every 25 ms (≈ 36 requests/s per waiter on Redis).`,
      "Then one worker process at concurrency 16 (the P3 worker) runs all of them while every wait is pending; latency = the moment `wait` resolved in this process − the server's clock when the final commit had taken effect: on Redis the feed entry's stream id (the commit script's run); on Postgres the end of the final COMMIT (WAL flushed, rows visible), stamped by a bench-only wrapper of the notice send that the commit message runs right after its COMMIT (`p12-stamps.sql`; a run whose waiter read the run instead of taking the notice's record is measured from the start of its COMMIT, and the row 'runs measured from the end of their COMMIT' counts the others). The rows 'start of the final COMMIT' measure from a bench-only deferred trigger run by the COMMIT just before its commit record, so they include the commit's own WAL flush under the load (the measuring point P12 used before). Same machine, same clock. Split: commit → first notice in this process (the shared feed reader handing over the final event, or on Postgres the finished-run hint of the feed's NOTIFY, whichever came first), then notice → resolved (nothing on Postgres when the notice carries the run record, else the waiter's one run read). The figures move with the machine's load (see the report header).",
    );
    return { verified: results.every((r) => r.problems.length === 0), checks, rows, targets, notes };
  },
};
