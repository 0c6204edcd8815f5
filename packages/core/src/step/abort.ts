import { setMaxListeners } from 'node:events';
import { CancelledError, DeadlineExceededError, TimeoutError } from '../errors/errors.js';
import { isFloxideError, type FloxideError } from '../errors/floxide-error.js';

/**
 * A signal that never fires, shared so the hot path allocates no controller. Floxide never adds a listener
 * to it (nothing could call it); its limit is lifted so listeners a node adds itself (say, a `fetch` per
 * step across many concurrent runs) print no `MaxListenersExceededWarning`.
 */
export const neverAborted: AbortSignal = new AbortController().signal;
setMaxListeners(0, neverAborted);

/** The Floxide error an abort reason stands for: Floxide errors as they are, anything else is a cancel. */
export function abortError(reason: unknown): FloxideError {
  if (isFloxideError(reason)) return reason;
  return new CancelledError('cancelled', { cause: reason });
}

/** Waits `ms`; rejects with the abort error as soon as `signal` fires. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal === neverAborted) {
      setTimeout(resolve, ms);
      return;
    }
    if (signal.aborted) {
      reject(abortError(signal.reason));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal.reason));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Settles like `value`, or rejects with the abort error when `signal` fires first. */
export function raceSignal<T>(value: T | Promise<T>, signal: AbortSignal): T | Promise<T> {
  if (!(value instanceof Promise) || signal === neverAborted) return value;
  if (signal.aborted) {
    value.catch(() => undefined);
    return Promise.reject(abortError(signal.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    value.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Options of {@link stepSignal}. */
export interface StepSignalOptions {
  readonly caller: AbortSignal | undefined;
  readonly node: string;
  readonly timeoutMs: number | undefined;
  readonly deadlineAt: number | undefined;
  readonly now: () => number;
}

/** The combined signal of one step attempt, and how to release its timer and listener. */
export interface StepSignal {
  readonly signal: AbortSignal;
  dispose(): void;
}

const nothing = (): void => undefined;

/**
 * Combines the caller's signal with the node timeout and the run deadline. Allocates a controller and a
 * timer only when there is a timeout or a deadline (the hot path has neither).
 */
export function stepSignal(options: StepSignalOptions): StepSignal {
  const { caller, timeoutMs, deadlineAt } = options;
  if (timeoutMs === undefined && deadlineAt === undefined)
    return { signal: caller ?? neverAborted, dispose: nothing };
  const controller = new AbortController();
  const remaining = deadlineAt === undefined ? Number.POSITIVE_INFINITY : deadlineAt - options.now();
  const useTimeout = timeoutMs !== undefined && timeoutMs < remaining;
  const reason = (): FloxideError =>
    useTimeout
      ? new TimeoutError(`node '${options.node}' timed out after ${timeoutMs} ms`)
      : new DeadlineExceededError(`run deadline exceeded while node '${options.node}' was running`);
  const delay = useTimeout ? (timeoutMs as number) : remaining;
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (delay <= 0) controller.abort(reason());
  else timer = setTimeout(() => controller.abort(reason()), delay);
  const onCallerAbort = (): void => controller.abort(caller?.reason);
  if (caller?.aborted) controller.abort(caller.reason);
  else caller?.addEventListener('abort', onCallerAbort, { once: true });
  return {
    signal: controller.signal,
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
      caller?.removeEventListener('abort', onCallerAbort);
    },
  };
}
