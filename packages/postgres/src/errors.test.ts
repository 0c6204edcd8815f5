import { describe, expect, it } from 'vitest';
import { isFloxideError, RunStateError } from '@floxide/core';
import { isRetryableDriverError, scrub, translatePgError } from './errors.js';

/** A driver error shaped like pg's DatabaseError / Node's socket errors. */
function driverError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('translatePgError', () => {
  it.each([
    ['40001', true],
    ['40P01', true],
    ['08006', true],
    ['57P01', true],
    ['ECONNREFUSED', true],
    ['ECONNRESET', true],
    ['23505', false],
    ['42P01', false],
  ])('maps %s to a BackendError with retryable=%s', (code, retryable) => {
    const error = translatePgError(driverError('something broke', code), 'commit');
    expect(isFloxideError(error, 'BACKEND')).toBe(true);
    expect(error).toMatchObject({
      retryable,
      message: `PostgreSQL commit failed: something broke (${code})`,
    });
  });

  it('treats pg’s own "Connection terminated" as retryable', () => {
    expect(isRetryableDriverError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isRetryableDriverError(new Error('syntax error'))).toBe(false);
  });

  it('finds the socket code inside an AggregateError (dual-stack connect failures)', () => {
    const error = new AggregateError(
      [driverError('connect ECONNREFUSED ::1:1', 'ECONNREFUSED')],
      'connect failed',
    );
    expect(translatePgError(error, 'claim')).toMatchObject({ retryable: true });
  });

  it('never lets a connection string or password through, nor the raw error as cause', () => {
    const raw = driverError('could not use postgres://admin:s3cret@db:5432/x with password=s3cret', '08001');
    const error = translatePgError(raw, 'claim');
    expect(error.message).not.toContain('s3cret');
    expect(error.message).not.toContain('postgres://');
    expect(error.cause).toBeUndefined();
    expect(scrub('x postgresql://u:p@h/db y')).toBe('x <url> y');
  });

  it('passes Floxide errors through unchanged', () => {
    const error = new RunStateError('nope');
    expect(translatePgError(error, 'run control')).toBe(error);
  });
});
