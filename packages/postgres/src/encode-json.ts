import { ValidationError } from '@floxide/core';

/**
 * `JSON.stringify` for values bound for the database. A value JSON cannot encode (a `BigInt`, a cycle, a
 * throwing `toJSON`) fails the same way on every attempt, so it becomes a non-retryable
 * {@link ValidationError} naming `what`, never a driver error a caller would retry.
 */
export function encodeJson(value: unknown, what: string): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unknown reason';
    throw new ValidationError(`Cannot store ${what}: it is not serialisable as JSON (${reason})`, [], {
      retryable: false,
    });
  }
}
