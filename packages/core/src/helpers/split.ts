import { node, type Node } from '../node/node.js';
import { Transition } from '../transition/transition.js';
import type { WorkflowCtx } from '../workflow/workflow-ctx.js';

/**
 * A node that splits its input into several outputs (`Transition.nextAll`): each goes to every successor.
 *
 * @example
 * ```ts
 * const around = split('around', (n: number) => [n - 1, n, n + 1]);
 * ```
 */
export function split<const TName extends string, TInput, TOutput>(
  name: TName,
  fn: (input: TInput, ctx: WorkflowCtx) => readonly TOutput[] | Promise<readonly TOutput[]>,
): Node<TInput, TOutput, unknown, TName> {
  return node<TName, TInput, TOutput>({
    name,
    async process(input, ctx) {
      return Transition.nextAll(await fn(input, ctx));
    },
  });
}
