export { FloxideError, isFloxideError, type FloxideErrorCode, type FloxideErrorOptions } from './errors/floxide-error.js';
export type { WorkItem, BranchFrame, JoinArrival } from './step/work-item.js';
export type {
  StepOutcome,
  AdvanceOutcome,
  RetryOutcome,
  FailedOutcome,
  ContextOp,
  ErrorInfo,
} from './step/step-outcome.js';
