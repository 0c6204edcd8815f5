import { runFanJoinContender, type FanJoinRunResult } from '../measure/fan-join-run.js';
import { formatNumber } from '../report/format-number.js';
import { rowsWithRatios, type Figure } from '../report/rows.js';
import type { ResultRow, TargetResult } from '../report/scenario-result.js';
import type { FanJoinEnv } from '../workers/fan-join-contender.js';
import type { FanJoinContenderId } from '../workers/fan-join-registry.js';
import { postgresEnvFactory, redisEnvFactory, type EnvFactory } from './contender-env.js';
import type { Scenario } from './scenario.js';
import { floxideSides, strandsNote } from './strands-mode.js';
import { ratioTarget } from './targets.js';

const WIDTH = 20;
const CONCURRENCY = 16;
/** Floxide's run: fan + branches + join; the peers' runs have no fan step. */
const SHAPE = { stepsPerRun: WIDTH + 2, concurrency: CONCURRENCY, width: WIDTH } as const;

/** One backend of P8 and the peer it is reported beside. */
interface FanJoinCase {
  readonly backend: string;
  readonly ids: { readonly strands: FanJoinContenderId; readonly queueOnly: FanJoinContenderId };
  readonly peer: FanJoinContenderId;
  readonly envFactory: EnvFactory<typeof SHAPE>;
}

/** Runs one contender in a fresh environment (namespace / scratch database named `fj-<id>`) and disposes of it. */
async function runIsolated(
  c: FanJoinCase,
  contender: FanJoinContenderId,
  run: { runs: number; workers: number; timeoutMs: number },
): Promise<FanJoinRunResult> {
  const isolated = await c.envFactory(`fj-${contender}`);
  try {
    const env: FanJoinEnv = isolated.env;
    return await runFanJoinContender({ contender, env, ...run });
  } finally {
    await isolated.dispose();
  }
}

/** P8: 200 runs × fan-out 20 → join on 3 worker processes — Floxide vs BullMQ FlowProducer and pg-boss. */
export const p8FanJoin: Scenario = {
  id: 'p8',
  title: 'Fan-out 20 → join, 3 worker processes: Redis vs BullMQ FlowProducer, Postgres vs pg-boss',
  async run(options) {
    const runs = options.runs ?? (options.smoke ? 10 : 200);
    // Smoke: two processes, so the merge of several processes' probes still runs.
    const workers = options.smoke ? 2 : 3;
    const timeoutMs = options.smoke ? 120_000 : 300_000;
    const cases: FanJoinCase[] = [
      {
        backend: 'Redis',
        ids: { strands: 'floxide-redis', queueOnly: 'floxide-redis-queue-only' },
        peer: 'bullmq-flow',
        envFactory: redisEnvFactory(options.redisUrl, SHAPE),
      },
      {
        backend: 'Postgres',
        ids: { strands: 'floxide-postgres', queueOnly: 'floxide-postgres-queue-only' },
        peer: 'pgboss',
        envFactory: postgresEnvFactory(options.databaseUrl, SHAPE),
      },
    ];
    const rows: ResultRow[] = [];
    const targets: TargetResult[] = [];
    const checks: string[] = [];
    let verified = true;
    for (const c of cases) {
      const sides = floxideSides(c.ids, options.strands);
      const order = [sides.floxide, ...sides.extra, c.peer];
      const results = new Map<FanJoinContenderId, FanJoinRunResult>();
      for (const contender of order) {
        const r = await runIsolated(c, contender, { runs, workers, timeoutMs });
        results.set(contender, r);
        const ok = r.problems.length === 0;
        verified &&= ok;
        checks.push(
          `${r.label}: ${ok ? `${r.runsDone} runs, ${r.steps} steps; every branch and join exactly once, every join saw all ${WIDTH} branch results, nothing left queued` : `FAILED — ${r.problems.join('; ')}`}`,
        );
        options.log(
          `  ${c.backend} ${contender}: ${formatNumber(r.runsPerSec)} runs/s, ${Math.round(r.stepsPerSec)} steps/s${ok ? '' : ` (${r.problems.join('; ')})`}`,
        );
      }
      const figure = (
        id: FanJoinContenderId,
        value: (r: FanJoinRunResult) => number,
        rowCase: string,
      ): Figure => {
        const r = results.get(id);
        return {
          contender: r?.label ?? id,
          case: rowCase,
          figure: r ? value(r) : Number.NaN,
          ...(r
            ? { note: `${r.steps} steps; ${formatNumber(r.enqueueMs / 1000)} s to enqueue the runs` }
            : {}),
        };
      };
      for (const [unit, value] of [
        ['runs/s', (r: FanJoinRunResult) => r.runsPerSec],
        ['steps/s', (r: FanJoinRunResult) => r.stepsPerSec],
        ['runs/s, enqueueing included', (r: FanJoinRunResult) => r.runsPerSecWithEnqueue],
      ] as const) {
        rows.push(
          ...rowsWithRatios({
            floxide: [figure(sides.floxide, value, c.backend)],
            others: [...sides.extra, c.peer].map((id) => figure(id, value, c.backend)),
            unit,
            higherIsBetter: true,
          }),
        );
      }
      const peer = results.get(c.peer);
      const ratio = (results.get(sides.floxide)?.runsPerSec ?? Number.NaN) / (peer?.runsPerSec ?? Number.NaN);
      targets.push(
        ratioTarget(
          `P8 ${c.backend} ≥ 1.0× ${peer?.label ?? c.peer} (runs/s)`,
          ratio,
          1,
          peer?.label ?? c.peer,
        ),
      );
    }
    return {
      verified,
      checks,
      rows,
      targets,
      notes: [
        `${runs} runs × fan-out ${WIDTH} → join per contender, every run enqueued before the workers start; ${workers} worker processes at concurrency ${CONCURRENCY} each; runs/s and steps/s from the first step's start to the last step's end over all processes. Correctness: the probes of every process are merged — each branch and each join began exactly once, each join received all ${WIDTH} branch results — and the stored state is checked (Floxide: every run completed with its output; BullMQ: no job left waiting, active, delayed, failed or waiting for children; pg-boss: every job completed, ${runs} joins, no counter row left).`,
        `Floxide: a \`split\` node fans out, a \`branch\` node per value, a join node receives the ${WIDTH} outputs in fan-out order (${WIDTH + 2} steps a run). BullMQ FlowProducer: each run is a parent job with ${WIDTH} children, written when the run is added; the parent runs once they completed and reads their results with \`getChildrenValues()\` (${WIDTH + 1} jobs a run, no fan step in a worker). pg-boss: a run is a counter row and ${WIDTH} jobs inserted in one transaction; each branch completes its job (\`complete(…, { db })\`) and decrements the counter in one transaction, and the branch that reaches zero sends the join job in it; the join completes its job and deletes the row in one transaction (${WIDTH + 1} jobs a run).`,
        "The target's ratio is on runs/s timed inside the workers, like every queue scenario (the same work for the user; the step counts differ). The peers write a run's branches when it is added, before the workers start, Floxide's fan step inside the timed window: the \"enqueueing included\" rows add each contender's enqueueing time to its working time.",
        strandsNote(options.strands),
      ],
    };
  },
};
