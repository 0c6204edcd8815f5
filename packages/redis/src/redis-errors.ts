import { BackendError, isFloxideError } from '@floxide/core';
import { isClusterRedirect } from './cluster-redirect.js';

const CONNECTION_PATTERNS = [
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'Connection is closed',
  "Stream isn't writeable",
  'enableOfflineQueue',
  'MaxRetriesPerRequest',
  'Reached the max retries per request limit',
  'LOADING',
  // A long script (e.g. a very wide fan-out's commit) holds the server: the same call succeeds once it ends.
  'BUSY Redis is busy',
  'connect ETIMEDOUT',
  'Command timed out',
];

/**
 * True when a driver error means the server could not be reached, or a Cluster's slot had no reachable
 * master (a failover): the same call may succeed later.
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (isClusterRedirect(error)) return true;
  const text = `${error.name} ${error.message}`;
  return CONNECTION_PATTERNS.some((p) => text.includes(p));
}

/** Removes anything that may carry a secret (URLs with credentials, passwords) from a driver message. */
export function redact(message: string, secrets: readonly string[] = []): string {
  let out = message.replace(/\b(?:rediss?|redis\+\w+):\/\/\S*/gi, '<redis-url>');
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('<secret>');
  return out;
}

/**
 * Translates an ioredis/BullMQ failure into a {@link BackendError} (Floxide errors pass through).
 *
 * @remarks The driver error is not attached as `cause`: ioredis errors may carry the command arguments,
 * and an `AUTH` command's arguments are the password. The message is redacted for the same reason.
 */
export function toBackendError(error: unknown, operation: string, secrets: readonly string[] = []): Error {
  if (isFloxideError(error)) return error;
  const retryable = isConnectionError(error);
  const detail = error instanceof Error ? error.message : String(error);
  const reason = !retryable
    ? redact(detail, secrets)
    : isClusterRedirect(error)
      ? 'the Redis Cluster is moving the slot to another master (failover)'
      : 'the Redis server is unreachable';
  return new BackendError(`Redis ${operation} failed: ${reason}`, { retryable });
}

/**
 * The error for a value the backend cannot encode as JSON (a BigInt, a circular object): deterministic, so
 * `retryable: false` — handing the same step back would fail the same way forever.
 */
export function encodeError(error: unknown, operation: string): BackendError {
  const detail = error instanceof Error ? error.message : String(error);
  return new BackendError(`Redis ${operation}: a value cannot be encoded as JSON (${detail})`, {
    retryable: false,
    cause: error,
  });
}
