import { bullmqChain } from '../peers/bullmq-chain.js';
import { bullmqFlow } from '../peers/bullmq-flow.js';
import { safeRatio } from '../measure/stats.js';
import { redisEnvFactory } from './contender-env.js';
import { chainThroughput } from './chain-comparison.js';
import { PRE_STRANDS, queueOnlyRatioTarget } from './queue-only-baseline.js';
import type { Scenario } from './scenario.js';
import { floxideSides, strandsNote } from './strands-mode.js';
import { ratioOf, ratioTarget } from './targets.js';

/** P3: 5-step chains on Redis — Floxide vs a hand-written BullMQ chain vs BullMQ FlowProducer. */
export const p3RedisChain: Scenario = {
  id: 'p3',
  title: 'Redis: 5-step chain, one worker process at concurrency 16 (latency: P9)',
  async run(options) {
    const runs = options.runs ?? (options.smoke ? 20 : 2_000);
    const sides = floxideSides(
      { strands: 'floxide-redis', queueOnly: 'floxide-redis-queue-only' },
      options.strands,
    );
    const phase = await chainThroughput({
      floxide: sides.floxide,
      peers: [...sides.extra, 'bullmq-chain', 'bullmq-flow'],
      envFactory: redisEnvFactory(options.redisUrl, { stepsPerRun: 5, concurrency: 16 }),
      runs,
      timeoutMs: options.smoke ? 60_000 : 300_000,
      log: options.log,
    });
    const rows = phase.rows;
    const queueOnly = options.strands === 'on' ? undefined : phase.results.get('floxide-redis-queue-only');
    const rate = (id: 'bullmq-chain' | 'bullmq-flow'): number =>
      safeRatio(queueOnly?.stepsPerSec ?? Number.NaN, phase.results.get(id)?.stepsPerSec ?? Number.NaN);
    return {
      verified: phase.verified,
      checks: phase.checks,
      rows,
      targets: [
        ratioTarget(
          'P3 ≥ 1.2× hand-written BullMQ chain',
          ratioOf(rows, bullmqChain.label, 'throughput'),
          1.2,
          bullmqChain.label,
        ),
        ratioTarget(
          'P3 ≥ 2× BullMQ FlowProducer',
          ratioOf(rows, bullmqFlow.label, 'throughput'),
          2,
          bullmqFlow.label,
        ),
        ...(queueOnly
          ? [
              queueOnlyRatioTarget('P3 vs BullMQ chain', rate('bullmq-chain'), PRE_STRANDS.p3VsBullmqChain),
              queueOnlyRatioTarget('P3 vs FlowProducer', rate('bullmq-flow'), PRE_STRANDS.p3VsBullmqFlow),
            ]
          : []),
      ],
      notes: [
        `${runs} runs × 5 no-op steps, all enqueued before the worker starts; one worker process (spawned child) at concurrency 16; steps/s from the first step's start to the last step's end, timed inside the worker.`,
        'Step→step latency at steady arrivals is P9 (`pnpm bench p9`).',
        strandsNote(options.strands),
        'BullMQ jobs use removeOnComplete: true (completed jobs are not kept); Floxide keeps run, item state, metrics and events for every step.',
      ],
    };
  },
};
