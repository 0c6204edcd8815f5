import { BackendError, FloxideError } from '@floxide/core';

/** Node socket error codes of a connection that failed or broke: worth retrying once the server is back. */
const RETRYABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

/** SQLSTATEs outside class 08 that a retry of the same operation may overcome. */
const RETRYABLE_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '57P01', // admin_shutdown (server restart)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (server starting up)
  '53300', // too_many_connections
]);

/** Messages pg raises itself (no SQLSTATE) when a connection dies under a query. */
const CONNECTION_LOST =
  /connection terminated|connection error|client has encountered a connection error|not queryable|terminating connection/i;

/** Whether a driver error (SQLSTATE or Node socket code) means "try again later". */
export function isRetryableDriverError(error: unknown): boolean {
  const code = errorCode(error);
  if (code !== undefined) {
    if (code.startsWith('08') || RETRYABLE_SQLSTATES.has(code) || RETRYABLE_NODE_CODES.has(code)) return true;
  }
  const message = error instanceof Error ? error.message : '';
  return CONNECTION_LOST.test(message);
}

/**
 * Turns anything a pg/Kysely call threw into a {@link BackendError}: `retryable` for serialization
 * failures, deadlocks and lost or refused connections.
 *
 * @remarks
 * The message names the operation and the SQLSTATE (or socket code) and keeps the server's text only after
 * scrubbing anything that looks like a URL or a password assignment; the raw driver error is not attached
 * as `cause`, because its fields (host, user, sometimes the query) are not for end users or logs. Floxide
 * errors pass through unchanged.
 */
export function translatePgError(error: unknown, operation: string): Error {
  // instanceof, not isFloxideError: pg's DatabaseError also carries a string `code`.
  if (error instanceof FloxideError) return error;
  const code = errorCode(error);
  const detail = error instanceof Error ? scrub(error.message) : 'unknown error';
  const suffix = code === undefined ? '' : ` (${code})`;
  return new BackendError(`PostgreSQL ${operation} failed: ${detail}${suffix}`, {
    retryable: isRetryableDriverError(error),
  });
}

/** Removes connection URLs and `password=...` fragments from a message. */
export function scrub(message: string): string {
  return message
    .replace(/[a-z][a-z0-9+.-]*:\/\/[^\s'"]+/gi, '<url>')
    .replace(/password\s*=\s*\S+/gi, 'password=<hidden>')
    .slice(0, 500);
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // AggregateError (dual-stack connect failures) keeps the socket codes in its members.
  const errors = (error as { errors?: unknown }).errors;
  if (Array.isArray(errors)) {
    for (const inner of errors) {
      const innerCode = errorCode(inner);
      if (innerCode !== undefined) return innerCode;
    }
  }
  return undefined;
}
