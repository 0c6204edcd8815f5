import type { FanJoinContender } from './fan-join-contender.js';

/** Ids of every fan-out → join contender (P8) a worker process can run. */
export type FanJoinContenderId =
  | 'floxide-redis'
  | 'floxide-redis-queue-only'
  | 'floxide-postgres'
  | 'floxide-postgres-queue-only'
  | 'bullmq-flow'
  | 'pgboss';

/** Lazy loaders, so a worker process loads only the driver it runs. */
const loaders: Record<FanJoinContenderId, () => Promise<FanJoinContender>> = {
  'floxide-redis': async () => (await import('../floxide/floxide-fan-join.js')).floxideRedisFanJoin,
  'floxide-redis-queue-only': async () =>
    (await import('../floxide/floxide-fan-join.js')).floxideRedisFanJoinQueueOnly,
  'floxide-postgres': async () => (await import('../floxide/floxide-fan-join.js')).floxidePostgresFanJoin,
  'floxide-postgres-queue-only': async () =>
    (await import('../floxide/floxide-fan-join.js')).floxidePostgresFanJoinQueueOnly,
  'bullmq-flow': async () => (await import('../peers/bullmq-flow-fan-join.js')).bullmqFlowFanJoin,
  pgboss: async () => (await import('../peers/pgboss-fan-join.js')).pgBossFanJoin,
};

/** Loads a fan-out → join contender by id. */
export async function loadFanJoinContender(id: FanJoinContenderId): Promise<FanJoinContender> {
  return loaders[id]();
}
