// Certifies RedisBackend against the storage contract every backend must pass (real Redis).
import { describeBackendContract } from '@floxide/conformance';
import { createTestBackend, destroyTestBackend } from './test-support/redis-test-backend.js';

describeBackendContract({
  name: 'redis',
  create: () => Promise.resolve(createTestBackend('contract')),
  destroy: destroyTestBackend,
});
