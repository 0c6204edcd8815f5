import type { StandardSchemaV1 } from '@standard-schema/spec';
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

/**
 * Data did not match a schema (node input/output, run input, context value); the schema's issues attached.
 *
 * @remarks
 * `issues` are Standard Schema issues (`message`, `path`). They are the schema library's own issue objects,
 * so with zod they are zod issues (with `code` and the rest): narrow them to read library-specific fields.
 */
export class ValidationError extends FloxideError {
  /** The schema's issues (empty when the error was rebuilt from an {@link ErrorInfo}). */
  readonly issues: readonly StandardSchemaV1.Issue[];

  constructor(
    message: string,
    issues: readonly StandardSchemaV1.Issue[] = [],
    options: FloxideErrorOptions = {},
  ) {
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

/**
 * A value a step produced (an output, a fan-out value, a join arrival, a context operation's value, or a
 * run's input) cannot be stored as JSON without changing it: a `BigInt`, a function, a symbol, a `Map`, a
 * `Set`, `NaN` or `±Infinity`, a circular reference, or an object of a class without `toJSON`.
 *
 * @remarks
 * Deterministic (the same node returns the same kind of value again), so retry policies never retry it;
 * an on-failure edge still applies. `path` says where the value sits, e.g. `output.items[3]`.
 */
export class SerializationError extends FloxideError {
  /** Where the offending value sits (`output.items[3]`, `outputs[1]`, `context.hits`); empty if unknown. */
  readonly path: string;

  constructor(message: string, options: FloxideErrorOptions & { readonly path?: string } = {}) {
    super('SERIALIZATION', message, options);
    this.path = options.path ?? '';
  }
}

/**
 * One branch of a join's fan-out produced more than one arrival at the join (a node inside the branch
 * returned `nextAll`, or sent one output along several edges, toward the join without an inner join).
 * A join takes exactly one value per branch, so the step fails rather than drop a value silently.
 */
export class JoinBranchError extends FloxideError {
  constructor(message: string, options: FloxideErrorOptions = {}) {
    super('JOIN_BRANCH', message, options);
  }
}

/**
 * A worker handed the same work item back too many times because of an error it could not classify (see
 * `DistributedWorker`'s `maxHandBacks`): the step fails with this error instead of looping for ever.
 */
export class HandBackLimitError extends FloxideError {
  constructor(message: string, options: FloxideErrorOptions = {}) {
    super('HAND_BACK_LIMIT', message, options);
  }
}

/**
 * A node threw (or aborted with) something that is not an `Error`: `undefined`, `null`, a string, a number
 * or a plain object. The message is the same in the local engine and in distributed runs:
 * `node 'x' threw undefined`, `node 'x' threw a non-Error value: {"a":1}`. `value` keeps what was thrown.
 */
export class ThrownValueError extends FloxideError {
  /** What the node threw. */
  readonly value: unknown;

  constructor(node: string, value: unknown, options: FloxideErrorOptions = {}) {
    super('NODE_FAILED', describeThrown(node, value), options);
    this.value = value;
  }
}

function describeThrown(node: string, value: unknown): string {
  if (value === undefined || value === null) return `node '${node}' threw ${String(value)}`;
  let shown: string;
  try {
    shown =
      typeof value === 'bigint'
        ? `${value}n`
        : typeof value === 'symbol' || typeof value === 'function'
          ? String(value)
          : (JSON.stringify(value) ?? String(value));
  } catch {
    shown = Object.prototype.toString.call(value);
  }
  // A huge thrown object must not turn into a huge error record.
  if (shown.length > 500) shown = `${shown.slice(0, 500)}…`;
  return `node '${node}' threw a non-Error value: ${shown}`;
}

/**
 * A node waited for a signal (`Transition.waitFor(name, { timeoutMs })`) and none came in time (code
 * `SIGNAL_TIMEOUT`, never retried): the node's on-failure edge runs if it has one, else the run fails.
 */
export class SignalTimeoutError extends FloxideError {
  constructor(message: string, options: FloxideErrorOptions = {}) {
    super('SIGNAL_TIMEOUT', message, options);
  }
}

/**
 * A local run (`wf.run` / `wf.resume`) stopped because its remaining work waits for signals (code
 * `RUN_WAITING`): with a checkpoint store the checkpoint has status `'waiting'`, and
 * `wf.resume(runId, { checkpoint, deliver: { name, payload } })` continues it.
 */
export class RunWaitingError extends FloxideError {
  /** The run that waits. */
  readonly runId: string;
  /** The signal names it waits for (one per parked step, in park order). */
  readonly signals: readonly string[];

  constructor(runId: string, signals: readonly string[], options: FloxideErrorOptions = {}) {
    super(
      'RUN_WAITING',
      `run '${runId}' is waiting for signal(s) ${signals.map((s) => `'${s}'`).join(', ')}`,
      options,
    );
    this.runId = runId;
    this.signals = signals;
  }
}

/**
 * A child run started by `subflow` on a distributed worker failed or was cancelled (code
 * `CHILD_RUN_FAILED`): the subflow node fails with it, so its retry policy (a retry starts a new child run)
 * and its on-failure edge apply. `childError` is the child run's own error.
 */
export class ChildRunFailedError extends FloxideError {
  /** The child run's id (`''` when rebuilt from an error record). */
  readonly childRunId: string;
  /** The child run's error, when known. */
  readonly childError: { readonly code: string; readonly message: string } | undefined;

  constructor(
    childRunId: string,
    childError: { readonly code: string; readonly message: string } | undefined,
    message: string,
    options: FloxideErrorOptions = {},
  ) {
    super('CHILD_RUN_FAILED', message, options);
    this.childRunId = childRunId;
    this.childError = childError;
  }
}
