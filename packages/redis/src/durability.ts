import { BackendError, ValidationError } from '@floxide/core';

/**
 * How many replicas must hold a state change before the backend acknowledges it: the scripts that create
 * runs, commit steps and change a run's status are followed by `WAIT replicas timeoutMs` on the same
 * connection (in one pipeline, so on a Cluster it reaches the master that ran the script).
 */
export interface RedisDurability {
  /** Replicas that must have the change (1 with one replica per master). */
  readonly replicas: number;
  /** How long to wait for them (ms); when fewer confirm in time the call fails (retryable). */
  readonly timeoutMs: number;
}

/** Checks a durability option; throws ValidationError for a bad one. */
export function checkDurability(d: RedisDurability | undefined): RedisDurability | undefined {
  if (d === undefined) return undefined;
  if (!Number.isInteger(d.replicas) || d.replicas < 0) {
    throw new ValidationError(`durability.replicas must be an integer >= 0, got ${String(d.replicas)}`);
  }
  if (!Number.isInteger(d.timeoutMs) || d.timeoutMs <= 0) {
    throw new ValidationError(`durability.timeoutMs must be an integer > 0, got ${String(d.timeoutMs)}`);
  }
  return d.replicas === 0 ? undefined : d;
}

/** The error of a change the primary applied but too few replicas confirmed in time. */
export function notReplicated(d: RedisDurability, acked: number): BackendError {
  return new BackendError(
    `Redis: the change was applied on the primary but confirmed by ${acked} of ${d.replicas} replica(s) within ${d.timeoutMs} ms; retry it (it is idempotent)`,
    { retryable: true },
  );
}
