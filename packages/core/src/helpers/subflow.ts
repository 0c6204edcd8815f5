import { node, type AnyNode, type Node } from '../node/node.js';
import { childRunsOf } from '../step/step-ctx.js';
import type { AnyWorkflow, Workflow } from '../workflow/workflow.js';

/** Where a `subflow` node keeps its child workflow, so workers can register it (see {@link subflowChild}). */
const CHILD = Symbol.for('floxide.subflow.child');

/**
 * A node that runs a whole workflow (with its own context) on its input and outputs its result.
 *
 * @remarks
 * On the local engine (`wf.run`) the child runs in-process inside the step: its cancellation follows the
 * parent step's signal (cancel, timeout, deadline) and its run id is `<parent item id>/<name>`, stable
 * across retries.
 *
 * On a distributed worker the child is a run of its own (`RunInfo.parentRunId` names the parent), visible
 * to `runs`, `watch` and the CLI, and the parent's item waits for it parked, holding no lease and no worker
 * slot. The child's output is the node's output; its failure (or cancellation) fails the node with
 * `ChildRunFailedError`, so the node's retry policy (each retry starts a new child run) and on-failure edge
 * apply. Cancelling the parent cancels its waiting children. Workers and orchestrators register the child
 * workflow along with the parent.
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
  const inner = node<TName, TInput, TOutput>({
    name,
    process: (input, ctx) => {
      const children = childRunsOf(ctx);
      if (children !== undefined) return children.run(name, child, input) as Promise<TOutput>;
      return child.run(input, { signal: ctx.signal, runId: `${ctx.itemId}/${name}`, logger: ctx.logger });
    },
  });
  return Object.freeze({ ...inner, [CHILD]: child });
}

/** The child workflow of a node made by {@link subflow}, or `undefined` for any other node. */
export function subflowChild(n: AnyNode): AnyWorkflow | undefined {
  return (n as { [CHILD]?: AnyWorkflow })[CHILD];
}
