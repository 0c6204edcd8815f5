import type { AnyNode } from '../node/node.js';
import type { RetryPolicy } from './retry-policy.js';

/**
 * Returns a copy of `node` with the given retry policy.
 *
 * @remarks
 * The node itself is not wrapped in a loop: the engine does the retrying, locally as an abortable wait
 * and distributed as a durable delayed work item, so a retry survives a worker crash.
 *
 * @example
 * ```ts
 * const stock = withRetry(reserveStock, RetryPolicy.linear({ maxAttempts: 3, initialDelayMs: 50 }));
 * ```
 */
export function withRetry<TNode extends AnyNode>(node: TNode, policy: RetryPolicy): TNode {
  return Object.freeze({ ...node, retry: policy });
}
