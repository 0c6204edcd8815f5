import { bullmqChain } from '../peers/bullmq-chain.js';
import { bullmqFlow } from '../peers/bullmq-flow.js';
import { redisEnvFactory } from './contender-env.js';
import { compareChains } from './chain-comparison.js';
import type { Scenario } from './scenario.js';
import { ratioOf, ratioTarget } from './targets.js';

/** P3: 5-step chains on Redis — Floxide vs a hand-written BullMQ chain vs BullMQ FlowProducer. */
export const p3RedisChain: Scenario = {
  id: 'p3',
  title: 'Redis: 5-step chain, one worker process at concurrency 16 (+ P3 latency)',
  async run(options) {
    const runs = options.runs ?? (options.smoke ? 20 : 2_000);
    const comparison = await compareChains({
      floxide: 'floxide-redis',
      peers: ['bullmq-chain', 'bullmq-flow'],
      envFactory: redisEnvFactory(options.redisUrl, { stepsPerRun: 5, concurrency: 16 }),
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
          'P3 ≥ 1.0× hand-written BullMQ chain',
          ratioOf(rows, bullmqChain.label, 'throughput'),
          1,
          bullmqChain.label,
        ),
        ratioTarget(
          'P3 ≥ 2× BullMQ FlowProducer',
          ratioOf(rows, bullmqFlow.label, 'throughput'),
          2,
          bullmqFlow.label,
        ),
      ],
      notes: [
        `${runs} runs × 5 no-op steps, all enqueued before the worker starts; one worker process (spawned child) at concurrency 16; steps/s from the first step's start to the last step's end, timed inside the worker.`,
        `Latency: ${comparison.latency.get('floxide-redis')?.runsDone ?? 0} runs arriving at ${comparison.ratePerSec.toFixed(1)} runs/s (half the slowest contender's throughput); step→step = previous step's handler done → next step's handler starts, measured in the worker process.`,
        'BullMQ jobs use removeOnComplete: true (completed jobs are not kept); Floxide keeps run, item state, metrics and events for every step.',
      ],
    };
  },
};
