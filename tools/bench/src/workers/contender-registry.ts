import type { QueueContender } from './queue-contender.js';

/** Ids of every queue contender the worker process can run. */
export type ContenderId =
  | 'bullmq-chain'
  | 'bullmq-flow'
  | 'graphile-chain'
  | 'pgboss-chain'
  | 'floxide-redis'
  | 'floxide-redis-queue-only'
  | 'floxide-postgres'
  | 'floxide-postgres-queue-only';

/** Lazy loaders, so a worker process loads only the driver it runs. */
const loaders: Record<ContenderId, () => Promise<QueueContender>> = {
  'bullmq-chain': async () => (await import('../peers/bullmq-chain.js')).bullmqChain,
  'bullmq-flow': async () => (await import('../peers/bullmq-flow.js')).bullmqFlow,
  'graphile-chain': async () => (await import('../peers/graphile-chain.js')).graphileChain,
  'pgboss-chain': async () => (await import('../peers/pgboss-chain.js')).pgBossChain,
  'floxide-redis': async () => (await import('../floxide/floxide-redis-chain.js')).floxideRedisChain,
  'floxide-redis-queue-only': async () =>
    (await import('../floxide/floxide-redis-chain.js')).floxideRedisChainQueueOnly,
  'floxide-postgres': async () => (await import('../floxide/floxide-postgres-chain.js')).floxidePostgresChain,
  'floxide-postgres-queue-only': async () =>
    (await import('../floxide/floxide-postgres-chain.js')).floxidePostgresChainQueueOnly,
};

/** Loads a queue contender by id. */
export async function loadContender(id: ContenderId): Promise<QueueContender> {
  return loaders[id]();
}
