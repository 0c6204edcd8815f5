// The conformance suite's corrupt-record protocol on RedisBackend, for every kind of record Redis stores.
import { describeCorruptRecordScenarios } from '@floxide/conformance';
import { CORRUPT_RECORD_KINDS, corruptRedisRecord } from './test-support/corrupt-record.js';
import { createTestBackend, destroyTestBackend } from './test-support/redis-test-backend.js';

describeCorruptRecordScenarios({
  name: 'redis',
  create: () => Promise.resolve(createTestBackend('corrupt')),
  destroy: destroyTestBackend,
  corruptible: CORRUPT_RECORD_KINDS,
  corrupt: corruptRedisRecord,
});
