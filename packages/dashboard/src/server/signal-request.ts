import { ValidationError } from '@floxide/core';

/** The body of `POST /api/runs/:id/signal`. */
export interface SignalRequest {
  /** The signal name a step waits for (`Transition.waitFor(name)`). */
  readonly name: string;
  /** The JSON payload; a body without one sends `null`. */
  readonly payload: unknown;
  /** Idempotency id: the same id sent twice is delivered once (`duplicate` the second time). */
  readonly signalId?: string;
}

/**
 * Checks a signal request's body (already parsed JSON, `undefined` when it was not JSON): a
 * `ValidationError` (HTTP 400) names what is wrong.
 */
export function parseSignalRequest(body: unknown): SignalRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError(
      'body must be a JSON object: { "name": "...", "payload": ..., "signalId"?: "..." }',
    );
  }
  const { name, payload, signalId } = body as Record<string, unknown>;
  if (typeof name !== 'string' || name.trim() === '')
    throw new ValidationError('a signal needs a non-empty "name"');
  if (signalId !== undefined && (typeof signalId !== 'string' || signalId === ''))
    throw new ValidationError('"signalId" must be a non-empty string when given');
  return {
    name,
    payload: payload === undefined ? null : payload,
    ...(signalId === undefined ? {} : { signalId }),
  };
}
