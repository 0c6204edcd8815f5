// Certifies MemoryBackend: the same suites Redis, Postgres and third-party backends run.
import { MemoryBackend } from '@floxide/distributed';
import { describeBackendContract } from './contract/describe-backend-contract.js';
import { describeEngineScenarios } from './engine/describe-engine-scenarios.js';
import { describeRetentionScenarios } from './engine/describe-retention-scenarios.js';
import type { BackendTestInit } from './support/backend-test-init.js';

const init: BackendTestInit = {
  name: 'memory',
  create: () => Promise.resolve(new MemoryBackend()),
  destroy: (backend) => backend.close(),
};

describeBackendContract(init);
describeEngineScenarios(init);
describeRetentionScenarios({
  ...init,
  createWithRetention: (retention) => Promise.resolve(new MemoryBackend({ retention, retentionSweepMs: 50 })),
});
