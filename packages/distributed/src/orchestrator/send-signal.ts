import { BackendError, ValidationError } from '@floxide/core';
import { toStorable } from '@floxide/core/engine';
import type { Backend } from '../contracts/backend.js';
import type { SignalResult } from '../contracts/signal-store.js';

/** Options of `DistributedOrchestrator.signal`. */
export interface SignalOptions {
  /**
   * Idempotency id of this signal: sending the same id to the run again changes nothing (`duplicate`), so a
   * webhook retried by its sender is delivered exactly once.
   */
  readonly signalId?: string;
}

/**
 * Checks a signal and hands it to the backend's {@link SignalStore.deliver}. `ValidationError` for an
 * empty name or id or a payload JSON cannot store; `BackendError` when the backend stores no signals.
 */
export async function sendSignal(
  backend: Backend,
  runId: string,
  name: string,
  payload: unknown,
  options: SignalOptions,
): Promise<SignalResult> {
  const signals = backend.signals;
  if (signals === undefined) throw new BackendError('this backend does not store signals');
  if (typeof runId !== 'string' || runId === '') throw new ValidationError('a signal needs a run id');
  if (typeof name !== 'string' || name === '') throw new ValidationError('a signal needs a name');
  const { signalId } = options;
  if (signalId !== undefined && (typeof signalId !== 'string' || signalId === '')) {
    throw new ValidationError(`signal id of '${name}' must be a non-empty string`);
  }
  const stored = toStorable(payload, 'payload', undefined, `signal '${name}'`, 'workflow');
  return signals.deliver({
    runId,
    name,
    // A missing payload is stored as null: JSON has no undefined.
    payload: stored === undefined ? null : stored,
    ...(signalId === undefined ? {} : { signalId }),
    at: Date.now(),
  });
}
