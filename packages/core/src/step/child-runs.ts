import type { NodeResult } from '../node/node.js';
import type { AnyWorkflow } from '../workflow/workflow.js';

/**
 * How a step runs a child workflow (`subflow`) when the engine runs children as runs of their own.
 *
 * @remarks
 * A distributed worker passes one per step (`ExecuteStepOptions.children`): it starts the child as its own
 * run and returns `Transition.waitFor` on the child's completion signal, or, once that signal was delivered,
 * the child's output (throwing `ChildRunFailedError` for a failed child). The local engine passes none, and
 * `subflow` then runs the child in-process.
 */
export interface ChildRuns {
  /** Starts (or collects) the child run of the `subflow` node named `name`, with `input`. */
  run(name: string, child: AnyWorkflow, input: unknown): Promise<NodeResult<unknown>>;
}
