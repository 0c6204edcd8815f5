import { describe } from 'vitest';
import { SUITE_TEST_TIMEOUT_MS, type BackendTestInit } from '../support/backend-test-init.js';
import { describeCommitContract } from './describe-commit-contract.js';
import { describeFeedContract } from './describe-feed-contract.js';
import { describeContextContract } from './describe-context-contract.js';
import { describeControlContract } from './describe-control-contract.js';
import { describeItemsContract } from './describe-items-contract.js';
import { describeJoinContract } from './describe-join-contract.js';
import { describeLivenessContract } from './describe-liveness-contract.js';
import { describeQueueContract } from './describe-queue-contract.js';
import { describeRecordsContract } from './describe-records-contract.js';
import { describeRunListsContract } from './describe-run-lists-contract.js';
import { describeRunsContract } from './describe-runs-contract.js';
import { describeStrandContract } from './describe-strand-contract.js';
import { describeSchedulesContract } from './describe-schedules-contract.js';
import { describeTraceContextContract } from './describe-trace-context-contract.js';
import { describeSignalsContract } from './describe-signals-contract.js';

/**
 * Registers the contract tests every {@link Backend} must pass, store by store.
 *
 * @remarks
 * Call it at the top level of a vitest test file. Every test creates a fresh backend with `init.create()`
 * and destroys it with `init.destroy()`, so `create()` must isolate backends (key prefix, schema). The
 * tests build work items and step outcomes by hand (plain JSON), so they pin down the storage semantics
 * documented on the contracts without running any workflow: atomic leases, expiry and delays, idempotent
 * and refused commits, context compare-and-set, joins, strand continuations, control, records and copies,
 * the change feed, stored schedules, the trace context items carry.
 *
 * @example
 * ```ts
 * import { describeBackendContract } from '@floxide/conformance';
 * import { MemoryBackend } from '@floxide/distributed';
 *
 * describeBackendContract({
 *   name: 'memory',
 *   create: () => Promise.resolve(new MemoryBackend()),
 *   destroy: (backend) => backend.close(),
 * });
 * ```
 */
export function describeBackendContract(init: BackendTestInit): void {
  // An explicit timeout, so a slower backend passes whatever its vitest config's default is.
  describe(`backend contract: ${init.name}`, { timeout: SUITE_TEST_TIMEOUT_MS }, () => {
    describeQueueContract(init);
    describeRunsContract(init);
    describeRunListsContract(init);
    describeContextContract(init);
    describeItemsContract(init);
    describeRecordsContract(init);
    describeLivenessContract(init);
    describeCommitContract(init);
    describeJoinContract(init);
    describeStrandContract(init);
    describeControlContract(init);
    describeFeedContract(init);
    describeSchedulesContract(init);
    describeTraceContextContract(init);
    describeSignalsContract(init);
  });
}
