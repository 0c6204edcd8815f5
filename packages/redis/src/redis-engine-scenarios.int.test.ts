// Runs whole workflows on RedisBackend with real workers: the engine scenarios every backend must pass.
import { describeEngineScenarios } from '@floxide/conformance';
import { createTestBackend, destroyTestBackend } from './test-support/redis-test-backend.js';

describeEngineScenarios({
  name: 'redis',
  create: () => Promise.resolve(createTestBackend('engine')),
  destroy: destroyTestBackend,
});
