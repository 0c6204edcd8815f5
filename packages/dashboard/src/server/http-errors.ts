import { isFloxideError } from '@floxide/core';

/** The JSON body and status of an API error. */
export interface ApiError {
  readonly status: 400 | 401 | 403 | 404 | 409 | 500 | 503;
  readonly body: { readonly error: { readonly code: string; readonly message: string } };
}

/**
 * Maps a thrown value to an API error. Floxide errors keep their stable code and message (backends
 * already translate driver errors, so no connection string reaches them); anything else becomes an
 * opaque 500 whose details stay in the server log.
 */
export function apiError(error: unknown): ApiError {
  if (!isFloxideError(error)) return failure(500, 'INTERNAL', 'internal error (see the dashboard log)');
  switch (error.code) {
    case 'VALIDATION':
      return failure(400, error.code, error.message);
    case 'RUN_NOT_FOUND':
    case 'UNKNOWN_WORKFLOW':
      return failure(404, error.code, error.message);
    case 'RUN_STATE':
      return failure(409, error.code, error.message);
    case 'BACKEND':
      return failure(503, error.code, error.message);
    default:
      return failure(500, error.code, error.message);
  }
}

/** An API error with this status, code and message. */
export function failure(status: ApiError['status'], code: string, message: string): ApiError {
  return { status, body: { error: { code, message } } };
}
