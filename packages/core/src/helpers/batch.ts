import { node, type Node } from '../node/node.js';
import { parseSchema } from '../schema/schema.js';
import { isTransition } from '../transition/transition.js';

/**
 * A node that runs `inner` over an array input, `size` elements at a time concurrently, and outputs the
 * results in input order.
 *
 * @remarks
 * `next` results are collected, `nextAll` results flattened, `hold` skipped; the first abort or throw
 * fails the whole batch. `inner`'s input schema is applied per element; its retry policy and timeout are
 * not (give them to the batch node with `withRetry`), and its edges do not matter: it is not in the graph.
 *
 * @example
 * ```ts
 * const doubled = batch('double-all', double, 2); // number[] → number[]
 * ```
 */
export function batch<const TName extends string, TInput, TOutput, TContext>(
  name: TName,
  inner: Node<TInput, TOutput, TContext, string>,
  size: number,
): Node<readonly TInput[], TOutput[], TContext, TName> {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`batch size must be an integer ≥ 1, got ${size}`);
  return node<TName, readonly TInput[], TOutput[], TContext>({
    name,
    async process(inputs, ctx) {
      const results: TOutput[] = [];
      for (let start = 0; start < inputs.length; start += size) {
        const chunk = inputs.slice(start, start + size).map(async (raw) => {
          let input = raw;
          if (inner.input !== undefined) {
            input = parseSchema(
              inner.input,
              raw,
              `invalid input for node '${inner.name}' in batch '${name}'`,
            ) as TInput;
          }
          return inner.process(input, ctx);
        });
        for (const result of await Promise.all(chunk)) {
          if (!isTransition(result)) results.push(result);
          else if (result.type === 'next') results.push(result.output);
          else if (result.type === 'nextAll') for (const out of result.outputs) results.push(out);
          else if (result.type === 'abort') throw result.error;
        }
      }
      return results;
    },
  });
}
