import { graphileChain } from '../peers/graphile-chain.js';
import { pgBossChain } from '../peers/pgboss-chain.js';
import { safeRatio } from '../measure/stats.js';
import { postgresEnvFactory } from './contender-env.js';
import { chainThroughput } from './chain-comparison.js';
import { PRE_STRANDS, queueOnlyRatioTarget } from './queue-only-baseline.js';
import type { Scenario } from './scenario.js';
import { floxideSides, strandsNote } from './strands-mode.js';
import { ratioOf, ratioTarget } from './targets.js';

/** P4: 5-step chains on PostgreSQL — Floxide vs Graphile Worker vs pg-boss. */
export const p4PostgresChain: Scenario = {
  id: 'p4',
  title: 'PostgreSQL: 5-step chain, one worker process at concurrency 16 (latency: P9)',
  async run(options) {
    const runs = options.runs ?? (options.smoke ? 20 : 2_000);
    const sides = floxideSides(
      { strands: 'floxide-postgres', queueOnly: 'floxide-postgres-queue-only' },
      options.strands,
    );
    const phase = await chainThroughput({
      floxide: sides.floxide,
      peers: [...sides.extra, 'graphile-chain', 'pgboss-chain'],
      envFactory: postgresEnvFactory(options.databaseUrl, { stepsPerRun: 5, concurrency: 16 }),
      runs,
      timeoutMs: options.smoke ? 60_000 : 300_000,
      log: options.log,
    });
    const rows = phase.rows;
    const queueOnly = options.strands === 'on' ? undefined : phase.results.get('floxide-postgres-queue-only');
    const rate = (id: 'graphile-chain' | 'pgboss-chain'): number =>
      safeRatio(queueOnly?.stepsPerSec ?? Number.NaN, phase.results.get(id)?.stepsPerSec ?? Number.NaN);
    return {
      verified: phase.verified,
      checks: phase.checks,
      rows,
      targets: [
        ratioTarget(
          'P4 ≥ 2× Graphile Worker',
          ratioOf(rows, graphileChain.label, 'throughput'),
          2,
          graphileChain.label,
        ),
        ratioTarget(
          'P4 ≥ 1.5× pg-boss',
          ratioOf(rows, pgBossChain.label, 'throughput'),
          1.5,
          pgBossChain.label,
        ),
        ...(queueOnly
          ? [
              queueOnlyRatioTarget('P4 vs Graphile Worker', rate('graphile-chain'), PRE_STRANDS.p4VsGraphile),
              queueOnlyRatioTarget('P4 vs pg-boss', rate('pgboss-chain'), PRE_STRANDS.p4VsPgBoss),
            ]
          : []),
      ],
      notes: [
        `${runs} runs × 5 no-op steps, all enqueued before the worker starts; one worker process at concurrency 16; each contender in a scratch database of its own, dropped afterwards.`,
        'Step→step latency at steady arrivals is P9 (`pnpm bench p9`).',
        strandsNote(options.strands),
        'pg-boss polls (no LISTEN/NOTIFY): its handler calls notifyWorker(own worker id) after sending the next job, so the worker fetches again at once instead of sleeping out the 0.5 s polling interval. Without that pg-boss would advance each chain at most one step per 0.5 s per worker.',
        'Graphile Worker and Floxide wake idle workers with LISTEN/NOTIFY.',
      ],
    };
  },
};
