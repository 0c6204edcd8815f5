import type { core } from 'zod';
import { FloxideError, type FloxideErrorOptions } from './floxide-error.js';

/** `build()` found problems in a workflow graph; `problems` lists every one of them. */
export class WorkflowDefinitionError extends FloxideError {
  /** Every problem found, one sentence each. */
  readonly problems: readonly string[];

  constructor(workflow: string, problems: readonly string[], options: FloxideErrorOptions = {}) {
    super('WORKFLOW_DEFINITION', `workflow '${workflow}' is invalid:\n- ${problems.join('\n- ')}`, options);
    this.problems = problems;
  }
}

/** Data did not match a schema (node input/output, run input, context value); zod issues attached. */
export class ValidationError extends FloxideError {
  /** The zod issues (empty when the error was rebuilt from an {@link ErrorInfo}). */
  readonly issues: readonly core.$ZodIssue[];

  constructor(message: string, issues: readonly core.$ZodIssue[] = [], options: FloxideErrorOptions = {}) {
    super('VALIDATION', message, options);
    this.issues = issues;
  }
}

/** Options of {@link NodeError}. */
export interface NodeErrorOptions {
  readonly node: string;
  readonly itemId: string;
  readonly attempt: number;
  readonly cause?: unknown;
  /** Overrides the generated message (used when rebuilding from an error record). */
  readonly message?: string;
}

/** A node failed for good (retries exhausted, no fallback); `cause` is the node's own error. */
export class NodeError extends FloxideError {
  readonly node: string;
  readonly itemId: string;
  readonly attempt: number;

  constructor(options: NodeErrorOptions) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(
      'NODE_FAILED',
      options.message ?? `node '${options.node}' failed on attempt ${options.attempt}: ${reason}`,
      { cause: options.cause },
    );
    this.node = options.node;
    this.itemId = options.itemId;
    this.attempt = options.attempt;
  }
}

/** A node attempt ran past its `timeoutMs` (code `TIMEOUT`, retryable by policy). */
export class TimeoutError extends FloxideError {
  constructor(message: string, options: FloxideErrorOptions = {}) {
    super('TIMEOUT', message, { retryable: true, ...options });
  }
}

/** The run's deadline passed (code `DEADLINE_EXCEEDED`, never retried). */
export class DeadlineExceededError extends FloxideError {
  constructor(message = 'run deadline exceeded', options: FloxideErrorOptions = {}) {
    super('DEADLINE_EXCEEDED', message, options);
  }
}

/** The run or the step was cancelled (code `CANCELLED`, never retried). */
export class CancelledError extends FloxideError {
  constructor(message = 'cancelled', options: FloxideErrorOptions = {}) {
    super('CANCELLED', message, options);
  }
}

/** The run consumed all its work without any terminal node producing an output. */
export class NoTerminalOutputError extends FloxideError {
  constructor(message = 'the run ended without a terminal output', options: FloxideErrorOptions = {}) {
    super('NO_TERMINAL_OUTPUT', message, options);
  }
}

/** No run (or checkpoint) with that id exists. */
export class RunNotFoundError extends FloxideError {
  constructor(message: string, options: FloxideErrorOptions = {}) {
    super('RUN_NOT_FOUND', message, options);
  }
}

/** The run's status does not allow the operation (e.g. resuming a completed run). */
export class RunStateError extends FloxideError {
  constructor(message: string, options: FloxideErrorOptions = {}) {
    super('RUN_STATE', message, options);
  }
}

/** A checkpoint was saved with a stale expected version: someone else wrote it meanwhile. */
export class CheckpointConflictError extends FloxideError {
  constructor(message: string, options: FloxideErrorOptions = {}) {
    super('CHECKPOINT_CONFLICT', message, options);
  }
}

/** A storage backend failed; `retryable` says whether the same call may succeed later. */
export class BackendError extends FloxideError {
  constructor(message: string, options: FloxideErrorOptions = {}) {
    super('BACKEND', message, options);
  }
}

/** A work item names a workflow (or version, or node) this process does not know. */
export class UnknownWorkflowError extends FloxideError {
  constructor(message: string, options: FloxideErrorOptions = {}) {
    super('UNKNOWN_WORKFLOW', message, options);
  }
}

/** A stored record could not be parsed. */
export class CorruptRecordError extends FloxideError {
  constructor(message: string, options: FloxideErrorOptions = {}) {
    super('CORRUPT_RECORD', message, options);
  }
}
