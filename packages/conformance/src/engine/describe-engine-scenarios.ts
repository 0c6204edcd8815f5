import { describe } from 'vitest';
import { SUITE_TEST_TIMEOUT_MS, type BackendTestInit } from '../support/backend-test-init.js';
import { describeBadInputScenarios } from './describe-bad-input-scenarios.js';
import { describeChildRunScenarios } from './describe-child-run-scenarios.js';
import { describeContextScenarios } from './describe-context-scenarios.js';
import { describeControlScenarios } from './describe-control-scenarios.js';
import { describeFailureScenarios } from './describe-failure-scenarios.js';
import { describeFairShareScenarios } from './describe-fair-share-scenarios.js';
import { describeFleetScenarios } from './describe-fleet-scenarios.js';
import { describePriorityScenarios } from './describe-priority-scenarios.js';
import { describeStartManyScenarios } from './describe-start-many-scenarios.js';
import { describeLimitScenarios } from './describe-limit-scenarios.js';
import { describeFlowScenarios } from './describe-flow-scenarios.js';
import { describeRecoveryScenarios } from './describe-recovery-scenarios.js';
import { describeStrandScenarios } from './describe-strand-scenarios.js';
import { describeScheduleScenarios } from './describe-schedule-scenarios.js';
import { describeSignalScenarios } from './describe-signal-scenarios.js';
import { describeTimerScenarios } from './describe-timer-scenarios.js';

/**
 * Registers whole-workflow scenarios run by real `DistributedWorker`s, `WorkerPool`s and a
 * `DistributedOrchestrator` over backends from `init.create()`.
 *
 * @remarks
 * Scenarios: linear chain, route, fan-out and join over 100 branches, a counter incremented once per
 * branch over 200 branches, retry then success, exhausted retries with an on-failure edge and without
 * one, a run deadline, pause/resume, cancel mid-node, four workers on one run matching the local engine,
 * and a worker that is closed (or stops heartbeating) mid-step whose item another worker finishes; bad
 * input that fails alone (see `describeBadInputScenarios`); a 200-branch fan-out writing every kind of
 * context field on 20 slots with retries and stolen leases, exact (see `describeContextScenarios`); long
 * chains with strands on and off: pause, cancel and retryFailed mid-strand, fairness, fan-out and join
 * inside a strand (see `describeStrandScenarios`);
 * durable timers that survive a worker restart and hold no worker slot (see `describeTimerScenarios`);
 * signals: parked steps without a lease, exactly-once delivery, timeouts, cancel and deadlines (see
 * `describeSignalScenarios`); child runs of `subflow` nodes (see `describeChildRunScenarios`);
 * cron schedules, one run per tick across orchestrators (see `describeScheduleScenarios`);
 * fleets of workers with disjoint workflows and task queues (see `describeFleetScenarios`); run priorities
 * (see `describePriorityScenarios`); fair share across runs of equal priority (see
 * `describeFairShareScenarios`); a fleet-wide `maxConcurrency` (see `describeLimitScenarios`); runs started
 * in batches (see `describeStartManyScenarios`).
 * Outputs are compared with `wf.run` (the local engine). Workers use short leases (1 s) and heartbeats
 * (100 ms) so recovery is quick; every worker is closed after its test, before the backend is destroyed.
 *
 * @example
 * ```ts
 * import { describeEngineScenarios } from '@floxide/conformance';
 *
 * describeEngineScenarios({
 *   name: 'my-backend',
 *   create: () => MyBackend.connect({ prefix: `test-${randomUUID()}` }),
 *   destroy: (backend) => backend.close(),
 * });
 * ```
 */
export function describeEngineScenarios(init: BackendTestInit): void {
  // An explicit timeout, so a slower backend passes whatever its vitest config's default is.
  describe(`engine scenarios: ${init.name}`, { timeout: SUITE_TEST_TIMEOUT_MS }, () => {
    describeFlowScenarios(init);
    describeFailureScenarios(init);
    describeControlScenarios(init);
    describeRecoveryScenarios(init);
    describeBadInputScenarios(init);
    describeContextScenarios(init);
    describeStrandScenarios(init);
    describeTimerScenarios(init);
    describeSignalScenarios(init);
    describeChildRunScenarios(init);
    describeScheduleScenarios(init);
    describeFleetScenarios(init);
    describePriorityScenarios(init);
    describeFairShareScenarios(init);
    describeLimitScenarios(init);
    describeStartManyScenarios(init);
  });
}
