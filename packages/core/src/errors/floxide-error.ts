/** Stable machine-readable codes of every {@link FloxideError}. Guard on these, not only on `instanceof`. */
export type FloxideErrorCode =
  | 'WORKFLOW_DEFINITION'
  | 'VALIDATION'
  | 'NODE_FAILED'
  | 'TIMEOUT'
  | 'DEADLINE_EXCEEDED'
  | 'CANCELLED'
  | 'NO_TERMINAL_OUTPUT'
  | 'RUN_NOT_FOUND'
  | 'RUN_STATE'
  | 'CHECKPOINT_CONFLICT'
  | 'BACKEND'
  | 'UNKNOWN_WORKFLOW'
  | 'CORRUPT_RECORD'
  | 'SERIALIZATION'
  | 'JOIN_BRANCH'
  | 'HAND_BACK_LIMIT'
  | 'SIGNAL_TIMEOUT'
  | 'RUN_WAITING'
  | 'CHILD_RUN_FAILED';

/** Options shared by every Floxide error constructor. */
export interface FloxideErrorOptions {
  /** The underlying error, kept for debugging; never shown to end users verbatim by the CLI. */
  cause?: unknown;
  /** Whether retrying the same operation may succeed. */
  retryable?: boolean;
}

/**
 * Base class of every error Floxide raises.
 *
 * @remarks
 * `code` is stable across versions and serialises into error records, so distributed components can
 * classify an error that crossed a process boundary without its class.
 */
export class FloxideError extends Error {
  /** Stable code identifying the kind of failure. */
  readonly code: FloxideErrorCode;
  /** Whether retrying the same operation may succeed. */
  readonly retryable: boolean;

  constructor(code: FloxideErrorCode, message: string, options: FloxideErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

const FLOXIDE_ERROR_CODES: ReadonlySet<string> = new Set<FloxideErrorCode>([
  'WORKFLOW_DEFINITION',
  'VALIDATION',
  'NODE_FAILED',
  'TIMEOUT',
  'DEADLINE_EXCEEDED',
  'CANCELLED',
  'NO_TERMINAL_OUTPUT',
  'RUN_NOT_FOUND',
  'RUN_STATE',
  'CHECKPOINT_CONFLICT',
  'BACKEND',
  'UNKNOWN_WORKFLOW',
  'CORRUPT_RECORD',
  'SERIALIZATION',
  'JOIN_BRANCH',
  'HAND_BACK_LIMIT',
  'SIGNAL_TIMEOUT',
  'RUN_WAITING',
  'CHILD_RUN_FAILED',
]);

/**
 * True when `error` is a {@link FloxideError}, optionally of the given code.
 *
 * @remarks
 * Also recognises a Floxide error from another copy of this package (same name shape, a known Floxide
 * code), but never a driver error that merely has a string `code` (pg's `DatabaseError`, Node's
 * `ECONNREFUSED`): those must be translated at the backend boundary, not passed through.
 */
export function isFloxideError(error: unknown, code?: FloxideErrorCode): error is FloxideError {
  if (!(error instanceof Error)) return false;
  const c = (error as { code?: unknown }).code;
  const looksLike =
    error instanceof FloxideError ||
    (typeof c === 'string' &&
      FLOXIDE_ERROR_CODES.has(c) &&
      typeof (error as { retryable?: unknown }).retryable === 'boolean');
  return looksLike && (code === undefined || c === code);
}
