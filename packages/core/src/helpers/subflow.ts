import { node, type Node } from '../node/node.js';
import type { Workflow } from '../workflow/workflow.js';

/**
 * A node that runs a whole workflow (with its own context) on its input and outputs its result.
 *
 * @remarks
 * The child runs on the local engine inside the step, also in distributed runs. Its cancellation follows
 * the parent step's signal (cancel, timeout, deadline); its run id is `<parent item id>/<name>`, stable
 * across retries.
 *
 * @example
 * ```ts
 * const inner = workflow({ name: 'inner' }).start(double).edge(double, addTen).build();
 * const outer = workflow({ name: 'outer' }).start(subflow('inner', inner)).build();
 * ```
 */
export function subflow<const TName extends string, TInput, TOutput>(
  name: TName,
  child: Workflow<TInput, TOutput, any>,
): Node<TInput, TOutput, unknown, TName> {
  return node<TName, TInput, TOutput>({
    name,
    process: (input, ctx) =>
      child.run(input, { signal: ctx.signal, runId: `${ctx.itemId}/${name}`, logger: ctx.logger }),
  });
}
