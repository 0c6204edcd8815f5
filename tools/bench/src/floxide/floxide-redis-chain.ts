import { RedisBackend } from '@floxide/redis';
import { deleteKeysWithPrefix } from '../env/redis-env.js';
import { requireRedisUrl } from '../peers/bullmq-connection.js';
import { floxideQueueContender, type FloxideBackendFactory } from './floxide-queue-contender.js';

/** `RedisBackend`s under the environment's key prefix (BullMQ carries items, Lua scripts commit steps). */
export const floxideRedisBackends: FloxideBackendFactory = {
  forOrchestrator: async (env) =>
    new RedisBackend({ connection: requireRedisUrl(env), prefix: env.namespace }),
  forWorker: async (env) => new RedisBackend({ connection: requireRedisUrl(env), prefix: env.namespace }),
  async cleanup(env) {
    await deleteKeysWithPrefix(requireRedisUrl(env), `${env.namespace}:`);
  },
};

/** Floxide on Redis, strands on (the default). */
export const floxideRedisChain = floxideQueueContender({
  id: 'floxide-redis',
  label: 'Floxide on Redis',
  backends: floxideRedisBackends,
  strands: true,
});

/** Floxide on Redis with `strands: false`: every step through the queue (the queue-only mode). */
export const floxideRedisChainQueueOnly = floxideQueueContender({
  id: 'floxide-redis-queue-only',
  label: 'Floxide on Redis (strands: false)',
  backends: floxideRedisBackends,
  strands: false,
});
