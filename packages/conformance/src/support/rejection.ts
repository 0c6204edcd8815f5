import { isFloxideError } from '@floxide/core';

/** The error `promise` rejects with, or `undefined` when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** The code of the error `promise` rejects with (its text when it is no Floxide error), or `undefined` when it resolves. */
export async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await rejection(promise);
  if (error === undefined) return undefined;
  return isFloxideError(error) ? error.code : String(error);
}
