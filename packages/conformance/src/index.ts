export { SUITE_TEST_TIMEOUT_MS, type BackendTestInit } from './support/backend-test-init.js';
export { describeBackendContract } from './contract/describe-backend-contract.js';
export { describeQueueContract } from './contract/describe-queue-contract.js';
export { describeRunsContract } from './contract/describe-runs-contract.js';
export { describeContextContract } from './contract/describe-context-contract.js';
export { describeItemsContract } from './contract/describe-items-contract.js';
export { describeRecordsContract } from './contract/describe-records-contract.js';
export { describeLivenessContract } from './contract/describe-liveness-contract.js';
export { describeCommitContract } from './contract/describe-commit-contract.js';
export { describeJoinContract } from './contract/describe-join-contract.js';
export { describeStrandContract } from './contract/describe-strand-contract.js';
export { describeControlContract } from './contract/describe-control-contract.js';
export { describeFeedContract } from './contract/describe-feed-contract.js';
export { describeEngineScenarios } from './engine/describe-engine-scenarios.js';
export { waitFor, sleep, type WaitForOptions } from './support/wait-for.js';
export { useBackend } from './support/use-backend.js';
export { useEngineHarness, type EngineHarness, type ScenarioWorkerOptions } from './engine/engine-harness.js';
export {
  TEST_WORKFLOW,
  testItem,
  testRun,
  advance,
  retry,
  failed,
  testError,
  stepCommit,
  leaseN,
  leaseOne,
  startAndLease,
  leaseBranches,
  type TestItemFields,
  type TestRunOptions,
  type AdvanceFields,
  type LeaseNOptions,
  type LeaseBranchesOptions,
} from './support/test-records.js';
export { describeFlowScenarios } from './engine/describe-flow-scenarios.js';
export { describeFailureScenarios } from './engine/describe-failure-scenarios.js';
export { describeControlScenarios } from './engine/describe-control-scenarios.js';
export { describeStrandScenarios } from './engine/describe-strand-scenarios.js';
export { describeRecoveryScenarios } from './engine/describe-recovery-scenarios.js';
export { describeContextScenarios } from './engine/describe-context-scenarios.js';
export { describeBadInputScenarios } from './engine/describe-bad-input-scenarios.js';
export {
  describeCorruptRecordScenarios,
  type CorruptRecordKind,
  type CorruptibleBackendInit,
} from './engine/describe-corrupt-record-scenarios.js';
export { describeFleetScenarios } from './engine/describe-fleet-scenarios.js';
export { describeRetentionScenarios, type RetentionTestInit } from './engine/describe-retention-scenarios.js';
export { describePriorityScenarios } from './engine/describe-priority-scenarios.js';
export { describeStartManyScenarios } from './engine/describe-start-many-scenarios.js';
export { describeFairShareScenarios } from './engine/describe-fair-share-scenarios.js';
