import { graphileChain } from '../peers/graphile-chain.js';
import { pgBossChain } from '../peers/pgboss-chain.js';
import { postgresEnvFactory } from './contender-env.js';
import { compareChains } from './chain-comparison.js';
import type { Scenario } from './scenario.js';
import { ratioOf, ratioTarget } from './targets.js';

/** P4: 5-step chains on PostgreSQL — Floxide vs Graphile Worker vs pg-boss. */
export const p4PostgresChain: Scenario = {
  id: 'p4',
  title: 'PostgreSQL: 5-step chain, one worker process at concurrency 16 (+ P4 latency)',
  async run(options) {
    const runs = options.runs ?? (options.smoke ? 20 : 2_000);
    const comparison = await compareChains({
      floxide: 'floxide-postgres',
      peers: ['graphile-chain', 'pgboss-chain'],
      envFactory: postgresEnvFactory(options.databaseUrl, { stepsPerRun: 5, concurrency: 16 }),
      runs,
      latencySeconds: options.smoke ? 0.5 : 6,
      timeoutMs: options.smoke ? 60_000 : 300_000,
      log: options.log,
    });
    const rows = comparison.rows;
    return {
      verified: comparison.verified,
      checks: comparison.checks,
      rows,
      targets: [
        ratioTarget(
          'P4 ≥ 1.5× Graphile Worker',
          ratioOf(rows, graphileChain.label, 'throughput'),
          1.5,
          graphileChain.label,
        ),
        ratioTarget('P4 ≥ 3× pg-boss', ratioOf(rows, pgBossChain.label, 'throughput'), 3, pgBossChain.label),
      ],
      notes: [
        `${runs} runs × 5 no-op steps, all enqueued before the worker starts; one worker process at concurrency 16; each contender in a scratch database of its own, dropped afterwards.`,
        `Latency: runs arriving at ${comparison.ratePerSec.toFixed(1)} runs/s (half the slowest contender's throughput); step→step measured in the worker process.`,
        'pg-boss polls (no LISTEN/NOTIFY): its handler calls notifyWorker(own worker id) after sending the next job, so the worker fetches again at once instead of sleeping out the 0.5 s polling interval. Without that pg-boss would advance each chain at most one step per 0.5 s per worker.',
        'Graphile Worker and Floxide wake idle workers with LISTEN/NOTIFY.',
      ],
    };
  },
};
