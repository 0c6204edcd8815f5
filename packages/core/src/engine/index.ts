/**
 * `@floxide/core/engine`: the step machinery that `@floxide/distributed` and the backends build on.
 *
 * @remarks
 * Workflows are written with `@floxide/core` alone. This entry is for engine and backend authors: work
 * items and their identities, executing one step, step outcomes, applying context operations, completing
 * joins, and the JSON forms records are stored in. It follows the same version as `@floxide/core`, but
 * its shapes change whenever the engine needs them to: application code should not import it.
 *
 * @packageDocumentation
 */
export { toStorable } from '../step/storable-json.js';
export { toErrorInfo, errorFromInfo } from '../errors/error-info.js';
export type {
  WorkItem,
  BranchFrame,
  JoinArrival,
  DeliveredSignal,
  ItemTraceContext,
  ParkedWait,
} from '../step/work-item.js';
export type {
  StepOutcome,
  AdvanceOutcome,
  RetryOutcome,
  FailedOutcome,
  ContextOp,
  StepWait,
} from '../step/step-outcome.js';
export { executeStep, type ExecuteStepOptions } from '../step/execute-step.js';
export type { ChildRuns } from '../step/child-runs.js';
export { subflowChild } from '../helpers/subflow.js';
export { completeJoin } from '../step/complete-join.js';
export { signalTimeout, type SignalTimeout } from '../step/signal-timeout.js';
export { deriveItemId, startItemId, joinItemId } from '../step/item-id.js';
export { abortableSleep } from '../step/abort.js';
export { applyContextOps } from '../context/apply-context-ops.js';
export {
  planFieldCommits,
  applyFieldCommitsInPlace,
  contextLayout,
  type FieldCommit,
  type ReducerRead,
} from '../context/field-commits.js';
export { MAX_ERROR_STACK_CHARS } from '../step/step-outcome.js';
