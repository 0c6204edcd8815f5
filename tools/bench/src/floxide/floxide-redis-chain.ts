import { RedisBackend } from '@floxide/redis';
import { deleteKeysWithPrefix } from '../env/redis-env.js';
import { requireRedisUrl } from '../peers/bullmq-connection.js';
import { floxideQueueContender } from './floxide-queue-contender.js';

/** Floxide on Redis (`RedisBackend`: BullMQ carries items, Lua scripts commit steps). */
export const floxideRedisChain = floxideQueueContender({
  id: 'floxide-redis',
  label: 'Floxide on Redis',
  backends: {
    forOrchestrator: async (env) =>
      new RedisBackend({ connection: requireRedisUrl(env), prefix: env.namespace }),
    forWorker: async (env) => new RedisBackend({ connection: requireRedisUrl(env), prefix: env.namespace }),
    async cleanup(env) {
      await deleteKeysWithPrefix(requireRedisUrl(env), `${env.namespace}:`);
    },
  },
});
