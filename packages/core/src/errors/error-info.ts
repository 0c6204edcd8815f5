import type { ErrorInfo } from '../step/step-outcome.js';
import {
  BackendError,
  CancelledError,
  CheckpointConflictError,
  CorruptRecordError,
  DeadlineExceededError,
  HandBackLimitError,
  RunWaitingError,
  ChildRunFailedError,
  SignalTimeoutError,
  JoinBranchError,
  NodeError,
  NoTerminalOutputError,
  RunNotFoundError,
  RunStateError,
  SerializationError,
  TimeoutError,
  UnknownWorkflowError,
  ValidationError,
  WorkflowDefinitionError,
} from './errors.js';
import { FloxideError, isFloxideError, type FloxideErrorCode } from './floxide-error.js';

/** Serialises any thrown value; errors that are not Floxide errors get the code `NODE_FAILED`. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (isFloxideError(error)) return { name: error.name, code: error.code, message: error.message };
  if (error instanceof Error) return { name: error.name, code: 'NODE_FAILED', message: error.message };
  return {
    name: 'Error',
    code: 'NODE_FAILED',
    message: typeof error === 'string' ? error : safeString(error),
  };
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

const factories: Record<FloxideErrorCode, (message: string) => FloxideError> = {
  WORKFLOW_DEFINITION: (m) => Object.assign(new WorkflowDefinitionError('?', []), { message: m }),
  VALIDATION: (m) => new ValidationError(m),
  // The node, item and attempt live in the error record next to the info, not in the info itself.
  NODE_FAILED: (m) => new NodeError({ node: '', itemId: '', attempt: 0, message: m }),
  TIMEOUT: (m) => new TimeoutError(m),
  DEADLINE_EXCEEDED: (m) => new DeadlineExceededError(m),
  CANCELLED: (m) => new CancelledError(m),
  NO_TERMINAL_OUTPUT: (m) => new NoTerminalOutputError(m),
  RUN_NOT_FOUND: (m) => new RunNotFoundError(m),
  RUN_STATE: (m) => new RunStateError(m),
  CHECKPOINT_CONFLICT: (m) => new CheckpointConflictError(m),
  BACKEND: (m) => new BackendError(m),
  UNKNOWN_WORKFLOW: (m) => new UnknownWorkflowError(m),
  CORRUPT_RECORD: (m) => new CorruptRecordError(m),
  SERIALIZATION: (m) => new SerializationError(m),
  JOIN_BRANCH: (m) => new JoinBranchError(m),
  HAND_BACK_LIMIT: (m) => new HandBackLimitError(m),
  SIGNAL_TIMEOUT: (m) => new SignalTimeoutError(m),
  RUN_WAITING: (m) => Object.assign(new RunWaitingError('?', []), { message: m }),
  CHILD_RUN_FAILED: (m) => new ChildRunFailedError('', undefined, m),
};

/**
 * Rebuilds an error from its {@link ErrorInfo}: the class matching `info.code` (a plain
 * {@link FloxideError} with code `NODE_FAILED` semantics when the code is unknown), with the same message.
 */
export function errorFromInfo(info: ErrorInfo): FloxideError {
  const factory = Object.hasOwn(factories, info.code) ? factories[info.code as FloxideErrorCode] : undefined;
  if (factory) return factory(info.message);
  return new FloxideError('NODE_FAILED', `${info.name}: ${info.message}`);
}
