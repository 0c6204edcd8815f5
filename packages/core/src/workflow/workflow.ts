import type { CheckpointStore } from '../checkpoint/checkpoint-store.js';
import type { ContextDefinition, ContextInitial } from '../context/context-definition.js';
import type { Logger } from '../logger/logger.js';
import type { AnyNode } from '../node/node.js';
import type { DeliveredSignal, WorkItem } from '../step/work-item.js';

/** A conditional edge: the discriminant of each output picks an arm; an empty arm is terminal. */
export interface RouteDefinition {
  readonly discriminant: (output: any) => unknown;
  /** Property name when the route was declared by key (used for drawing). */
  readonly key?: string;
  readonly arms: ReadonlyMap<string, readonly string[]>;
}

/** A join: node `node` waits for every branch of the fan-out made by node `from`. */
export interface JoinDefinition {
  readonly node: string;
  readonly from: string;
}

/** Options of {@link Workflow.run}. */
export interface RunOptions<TContext = unknown> {
  /** Initial values of context fields (the others get their defaults). */
  readonly context?: ContextInitial<TContext>;
  /** Cancels the run: the running step is aborted and the run rejects with `CancelledError`. */
  readonly signal?: AbortSignal;
  /** Deadline of the whole run, from now (ms); past it the run rejects with `DeadlineExceededError`. */
  readonly deadlineMs?: number;
  /** Saves a checkpoint after every step; `resume` continues from it. */
  readonly checkpoint?: CheckpointStore;
  /** Run id (default: a random UUID); required to find a checkpoint again. */
  readonly runId?: string;
  /** Steps running at once (default 1). */
  readonly concurrency?: number;
  readonly logger?: Logger;
}

/** Options of {@link Workflow.resume}. */
export interface ResumeOptions {
  readonly checkpoint: CheckpointStore;
  /**
   * A signal for a step parked on `Transition.waitFor(name)`: the first parked step waiting for `name`
   * (and not timed out) runs again and its successors receive `payload`. A `RunStateError` when no step
   * waits for it.
   */
  readonly deliver?: DeliveredSignal;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  readonly concurrency?: number;
}

/**
 * A built, validated workflow graph.
 *
 * @remarks
 * Immutable. The graph fields (`nodes`, `edges`, `routes`, `fallbacks`, `joins`) are what the engine,
 * the distributed worker, graph export and the CLI read. A node with no edge and no route is terminal:
 * its output is the run's output, and the first terminal output wins.
 *
 * @example
 * ```ts
 * const wf = workflow({ name: 'double' }).start(double).build();
 * await wf.run(21); // 42
 * ```
 */
export interface Workflow<TInput, TOutput, TContext = unknown> {
  readonly name: string;
  /** Defaults to 1. */
  readonly version: number;
  /** Task queue its items are leased from (default `'default'`; see `WorkflowOptions.queue`). */
  readonly queue: string;
  /** Fleet-wide limit of its leased items (absent: none; see `WorkflowOptions.maxConcurrency`). */
  readonly maxConcurrency?: number;
  /** Name of the start node. */
  readonly start: string;
  readonly nodes: ReadonlyMap<string, AnyNode>;
  readonly context?: ContextDefinition;
  /** Successors of each node with direct edges. */
  readonly edges: ReadonlyMap<string, readonly string[]>;
  /** Conditional edges, by source node. */
  readonly routes: ReadonlyMap<string, RouteDefinition>;
  /** On-failure successors, by failing node. */
  readonly fallbacks: ReadonlyMap<string, readonly string[]>;
  /** Joins, by join node name. */
  readonly joins: ReadonlyMap<string, JoinDefinition>;
  /** Join node name, by fan-out source node name. */
  readonly joinSources: ReadonlyMap<string, string>;
  /** True when `node` has no edge and no route (its output is the run's output). */
  isTerminal(node: string): boolean;
  /** Runs the workflow in this process and resolves with the first terminal output. */
  run(input: TInput, options?: RunOptions<TContext>): Promise<TOutput>;
  /** Continues a checkpointed run. */
  resume(runId: string, options: ResumeOptions): Promise<TOutput>;
  /**
   * The run's first work item; validates `input` with the start node's schema (ValidationError). A non-zero
   * `priority` is carried by the item (and every item made from it).
   */
  createStartItem(
    runId: string,
    input: unknown,
    options?: { readonly deadlineAt?: number; readonly priority?: number },
  ): WorkItem;
  /** Validates initial context values and returns the JSON context state with defaults. */
  initialContext(initial?: unknown): unknown;
  /** Type-level only. */
  readonly __types?: { input: TInput; output: TOutput; context: TContext };
}

/** Any workflow. */
export type AnyWorkflow = Workflow<any, any, any>;

/** The input type of a workflow. */
export type WorkflowInput<TWorkflow> = TWorkflow extends Workflow<infer TInput, any, any> ? TInput : never;

/** The output type of a workflow. */
export type WorkflowOutput<TWorkflow> = TWorkflow extends Workflow<any, infer TOutput, any> ? TOutput : never;

/** The task queue of a workflow declared without one, and the one a worker without `queues` serves. */
export const DEFAULT_QUEUE = 'default';
