import { describe, expect, it } from 'vitest';
import {
  BackendError,
  CancelledError,
  CheckpointConflictError,
  CorruptRecordError,
  DeadlineExceededError,
  NodeError,
  NoTerminalOutputError,
  RunNotFoundError,
  RunStateError,
  TimeoutError,
  UnknownWorkflowError,
  ValidationError,
  WorkflowDefinitionError,
} from './errors.js';
import { errorFromInfo, toErrorInfo } from './error-info.js';
import { FloxideError, isFloxideError } from './floxide-error.js';

describe('errors', () => {
  const all: [FloxideError, string][] = [
    [new WorkflowDefinitionError('w', ['a', 'b']), 'WORKFLOW_DEFINITION'],
    [new ValidationError('v'), 'VALIDATION'],
    [new NodeError({ node: 'n', itemId: 'i', attempt: 2, cause: new Error('c') }), 'NODE_FAILED'],
    [new TimeoutError('t'), 'TIMEOUT'],
    [new DeadlineExceededError(), 'DEADLINE_EXCEEDED'],
    [new CancelledError(), 'CANCELLED'],
    [new NoTerminalOutputError(), 'NO_TERMINAL_OUTPUT'],
    [new RunNotFoundError('r'), 'RUN_NOT_FOUND'],
    [new RunStateError('s'), 'RUN_STATE'],
    [new CheckpointConflictError('c'), 'CHECKPOINT_CONFLICT'],
    [new BackendError('b', { retryable: true }), 'BACKEND'],
    [new UnknownWorkflowError('u'), 'UNKNOWN_WORKFLOW'],
    [new CorruptRecordError('x'), 'CORRUPT_RECORD'],
  ];

  it('every class has its stable code and round-trips through ErrorInfo to the same class', () => {
    for (const [error, code] of all) {
      expect(error.code).toBe(code);
      expect(isFloxideError(error, error.code)).toBe(true);
      const info = toErrorInfo(error);
      expect(info).toEqual({ name: error.constructor.name, code, message: error.message });
      const rebuilt = errorFromInfo(info);
      expect(rebuilt).toBeInstanceOf(error.constructor);
      expect(rebuilt.code).toBe(code);
      expect(rebuilt.message).toBe(error.message);
    }
  });

  it('isFloxideError rejects driver errors that merely carry a string code (regression: pg errors passed through)', () => {
    const pgLike = Object.assign(new Error('relation does not exist'), { code: '42P01' });
    const socketLike = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(isFloxideError(pgLike)).toBe(false);
    expect(isFloxideError(socketLike)).toBe(false);
    expect(isFloxideError(new BackendError('b'))).toBe(true);
    const foreignCopy = Object.assign(new Error('from another package copy'), {
      code: 'BACKEND',
      retryable: false,
    });
    expect(isFloxideError(foreignCopy, 'BACKEND')).toBe(true);
  });

  it('lists every definition problem in the message and keeps NodeError details', () => {
    const def = all[0]?.[0] as WorkflowDefinitionError;
    expect(def.problems).toEqual(['a', 'b']);
    expect(def.message).toContain('- a\n- b');
    expect(all[2]?.[0]).toMatchObject({
      node: 'n',
      itemId: 'i',
      attempt: 2,
      message: "node 'n' failed on attempt 2: c",
    });
    expect(new BackendError('x', { retryable: true }).retryable).toBe(true);
  });

  it('summarises foreign errors and values', () => {
    expect(toErrorInfo(new TypeError('t'))).toEqual({ name: 'TypeError', code: 'NODE_FAILED', message: 't' });
    expect(toErrorInfo('plain')).toEqual({ name: 'Error', code: 'NODE_FAILED', message: 'plain' });
    expect(toErrorInfo({ a: 1 })).toMatchObject({ message: '{"a":1}' });
    expect(errorFromInfo({ name: 'X', code: 'SOMETHING_ELSE', message: 'm' })).toMatchObject({
      code: 'NODE_FAILED',
      message: 'X: m',
    });
  });
});
