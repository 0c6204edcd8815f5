/**
 * `@floxide/conformance/crash`: the pieces a backend package's crash tests share — worker fleets killed at
 * random, and the child-run crash test's workflows and checks. Free of vitest, so worker processes can
 * import it.
 *
 * @packageDocumentation
 */
export { WorkerFleet, type ChaosOptions } from './worker-fleet.js';
export { childCrashWorkflows, CHILD_CRASH_CHECK_MS } from './child-crash-workflows.js';
export { checkChildCrash } from './check-child-crash.js';
