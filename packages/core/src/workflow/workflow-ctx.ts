import type { ContextViewOf } from '../context/context-definition.js';
import type { Logger } from '../logger/logger.js';

/**
 * What a node gets besides its input: identity of the step, cancellation, context, logger.
 *
 * @remarks
 * `signal` fires on run cancel, worker shutdown, the node's `timeoutMs` and the run deadline, whichever
 * comes first; a node doing I/O should pass it on (`fetch(url, { signal: ctx.signal })`). A node that
 * ignores it is abandoned when it fires (the step fails; its late result is discarded).
 *
 * @example
 * ```ts
 * const charge = node({
 *   name: 'charge',
 *   async process(order: Order, ctx) {
 *     await ctx.sleep(10);
 *     return payments.charge(order, { idempotencyKey: ctx.itemId, signal: ctx.signal });
 *   },
 * });
 * ```
 */
export interface WorkflowCtx<TContext = unknown> {
  readonly runId: string;
  /** Stable across retries of the same item: use it as an idempotency key. */
  readonly itemId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Name of the running node. */
  readonly node: string;
  readonly signal: AbortSignal;
  /** Context fields: read them, record operations; operations apply when the step commits. */
  readonly context: ContextViewOf<TContext>;
  readonly logger: Logger;
  /** Waits `ms`, rejecting with the abort reason as soon as `signal` fires. */
  sleep(ms: number): Promise<void>;
}
