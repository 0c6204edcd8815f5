import { DistributedOrchestrator, DistributedWorker } from '@floxide/distributed';
import type { FanJoinContender } from '../workers/fan-join-contender.js';
import { floxideFanJoin } from './fan-join-workflow.js';
import { floxidePostgresBackends } from './floxide-postgres-chain.js';
import { floxideRedisBackends } from './floxide-redis-chain.js';
import { verifyRuns, type FloxideBackendFactory } from './floxide-queue-contender.js';

/**
 * The P8 fan-out → join on a Floxide backend: the orchestrator starts runs, each worker process runs
 * one `DistributedWorker` at the scenario's concurrency, with strands on or off.
 */
function floxideFanJoinContender(options: {
  readonly id: string;
  readonly label: string;
  readonly backends: FloxideBackendFactory;
  readonly strands: boolean;
}): FanJoinContender {
  const { backends } = options;
  return {
    id: options.id,
    label: options.label,
    fanStep: true,
    async open(env) {
      const backend = await backends.forOrchestrator(env);
      const wf = floxideFanJoin(env.width);
      const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
      return {
        async enqueueRuns(first, count) {
          // The batch start, as each peer enqueues with its own (BullMQ addBulk, Graphile addJobs, pg-boss insert).
          await orchestrator.startMany(
            wf,
            Array.from({ length: count }, (_, i) => ({ input: { run: first + i } })),
          );
        },
        // Every run completed with its own index; the probe checked each step ran once and each join.
        verify: (runs) => verifyRuns(orchestrator, runs),
        async destroy() {
          await backend.close();
          await backends.cleanup(env);
        },
      };
    },
    async startWorker(env, probe) {
      const backend = await backends.forWorker(env);
      const worker = new DistributedWorker({
        backend,
        workflows: [floxideFanJoin(env.width, probe)],
        concurrency: env.concurrency,
        strands: options.strands,
      });
      await worker.start();
      return {
        async close() {
          await worker.close({ graceMs: 5_000 });
          await backend.close();
        },
      };
    },
  };
}

/** Floxide on Redis, strands on. */
export const floxideRedisFanJoin = floxideFanJoinContender({
  id: 'floxide-redis',
  label: 'Floxide on Redis',
  backends: floxideRedisBackends,
  strands: true,
});

/** Floxide on Redis, `strands: false`. */
export const floxideRedisFanJoinQueueOnly = floxideFanJoinContender({
  id: 'floxide-redis-queue-only',
  label: 'Floxide on Redis (strands: false)',
  backends: floxideRedisBackends,
  strands: false,
});

/** Floxide on PostgreSQL, strands on. */
export const floxidePostgresFanJoin = floxideFanJoinContender({
  id: 'floxide-postgres',
  label: 'Floxide on Postgres',
  backends: floxidePostgresBackends,
  strands: true,
});

/** Floxide on PostgreSQL, `strands: false`. */
export const floxidePostgresFanJoinQueueOnly = floxideFanJoinContender({
  id: 'floxide-postgres-queue-only',
  label: 'Floxide on Postgres (strands: false)',
  backends: floxidePostgresBackends,
  strands: false,
});
