/**
 * `@floxide/core`: define workflows (nodes, transitions, context fields, retries) and run them locally.
 * The step machinery the distributed engine and backends build on is in `@floxide/core/engine`.
 *
 * @packageDocumentation
 */
export {
  FloxideError,
  isFloxideError,
  type FloxideErrorCode,
  type FloxideErrorOptions,
} from './errors/floxide-error.js';
export {
  WorkflowDefinitionError,
  ValidationError,
  NodeError,
  type NodeErrorOptions,
  TimeoutError,
  DeadlineExceededError,
  CancelledError,
  NoTerminalOutputError,
  RunNotFoundError,
  RunStateError,
  CheckpointConflictError,
  BackendError,
  UnknownWorkflowError,
  CorruptRecordError,
  SerializationError,
  JoinBranchError,
  HandBackLimitError,
  ThrownValueError,
  SignalTimeoutError,
  RunWaitingError,
  ChildRunFailedError,
} from './errors/errors.js';
export type { Schema, SchemaIssue } from './schema/schema.js';
// The stored shape of an error (a run's `error`, an error record's): public because records carry it.
export type { ErrorInfo } from './step/step-outcome.js';
// A work item's trace context: public because tracers outside the engine (`@floxide/dashboard`) set it.
export type { DeliveredSignal, ItemTraceContext, ParkedWait } from './step/work-item.js';
export {
  Transition,
  isTransition,
  type NextTransition,
  type NextAllTransition,
  type TimerOptions,
  type HoldTransition,
  type AbortTransition,
  type WaitForTransition,
  type WaitForOptions,
} from './transition/transition.js';
export {
  node,
  type Node,
  type AnyNode,
  type NodeOptions,
  type NodeResult,
  type InputOf,
  type OutputOf,
} from './node/node.js';
export type { WorkflowCtx } from './workflow/workflow-ctx.js';
export {
  workflow,
  WorkflowBuilder,
  type WorkflowOptions,
  type Target,
  type Targets,
  type RouteArm,
  type TerminalOutput,
} from './workflow/workflow-builder.js';
export type {
  Workflow,
  AnyWorkflow,
  WorkflowInput,
  WorkflowOutput,
  RunOptions,
  ResumeOptions,
  RouteDefinition,
  JoinDefinition,
} from './workflow/workflow.js';
export { DEFAULT_QUEUE } from './workflow/workflow.js';
export {
  context,
  type ContextDefinition,
  type ContextFields,
  type ContextView,
  type ContextViewOf,
  type ContextInitial,
} from './context/context-definition.js';
export type { ContextField, AnyContextField, ContextFieldKind, OpRecorder } from './context/context-field.js';
export {
  eventLog,
  counter,
  fixed,
  register,
  reducer,
  type LoggedEvent,
  type EventLogView,
  type CounterView,
  type FixedView,
  type RegisterView,
  type ReducerView,
} from './context/context-fields.js';
export {
  RetryPolicy,
  type RetryPolicyOptions,
  type BackoffStrategy,
  type RetryJitter,
} from './retry/retry-policy.js';
export { withRetry } from './retry/with-retry.js';
export type {
  Checkpoint,
  CheckpointJoin,
  CheckpointStatus,
  CheckpointWait,
} from './checkpoint/checkpoint.js';
export type { CheckpointStore } from './checkpoint/checkpoint-store.js';
export { MemoryCheckpointStore } from './checkpoint/memory-checkpoint-store.js';
export { split } from './helpers/split.js';
export { sleep } from './helpers/sleep.js';
export { batch } from './helpers/batch.js';
export { subflow } from './helpers/subflow.js';
export { source, type Source, type SourceRunOptions } from './helpers/source.js';
export { toMermaid } from './graph/to-mermaid.js';
export { toDot } from './graph/to-dot.js';
export { type Logger, noopLogger, consoleLogger } from './logger/logger.js';
export { pinoLogger, type PinoLike, type PinoLogFn } from './logger/pino-logger.js';
