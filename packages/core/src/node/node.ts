import type { RetryPolicy } from '../retry/retry-policy.js';
import type { Schema } from '../schema/schema.js';
import type { Transition } from '../transition/transition.js';
import type { WorkflowCtx } from '../workflow/workflow-ctx.js';

/** What `process` may return: a plain value (= `Transition.next(value)`) or a {@link Transition}. */
export type NodeResult<TOutput> = TOutput | Transition<TOutput>;

/**
 * A named step of a workflow: takes an input, returns a transition.
 *
 * @remarks
 * Nodes are plain immutable objects, usually made with {@link node}. The schemas are kept untyped here so
 * that a node whose input is wider than an edge's source output still fits; the static types live in
 * `process`. `TName` is the literal name, which lets the builder infer the workflow's output type.
 *
 * @example
 * ```ts
 * const double: Node<number, number> = node({ name: 'double', process: (n: number) => n * 2 });
 * ```
 */
export interface Node<TInput = any, TOutput = any, TContext = any, TName extends string = string> {
  readonly name: TName;
  /** Validates (and may transform) the input before `process` runs. */
  readonly input?: Schema | undefined;
  /** Validates (and may transform) every output before it leaves the step. */
  readonly output?: Schema | undefined;
  readonly retry?: RetryPolicy | undefined;
  /** Per-attempt timeout (ms). */
  readonly timeoutMs?: number | undefined;
  readonly process: (
    input: TInput,
    ctx: WorkflowCtx<TContext>,
  ) => NodeResult<TOutput> | Promise<NodeResult<TOutput>>;
}

/** Any node. */
export type AnyNode = Node<any, any, any, string>;

/** The input type of a node. */
export type InputOf<TNode> = TNode extends Node<infer TInput, any, any, string> ? TInput : never;

/** The output type of a node. */
export type OutputOf<TNode> = TNode extends Node<any, infer TOutput, any, string> ? TOutput : never;

/** Options of {@link node}. */
export interface NodeOptions<TName extends string, TInput, TOutput, TContext> {
  /** Unique within a workflow. */
  readonly name: TName;
  /** Any Standard Schema (zod 4, Valibot, ArkType, ...): validates the input; `TInput` is inferred from it. */
  readonly input?: Schema<TInput>;
  /** Any Standard Schema: validates every output; `TOutput` is inferred from it. */
  readonly output?: Schema<TOutput>;
  /** The context definition the node reads; only used to type `ctx.context`. */
  readonly context?: TContext;
  readonly retry?: RetryPolicy;
  readonly timeoutMs?: number;
  process(input: TInput, ctx: WorkflowCtx<TContext>): NodeResult<TOutput> | Promise<NodeResult<TOutput>>;
}

/** Defines a node; types are inferred from the schemas or from `process`'s annotations. */
export function node<const TName extends string, TInput, TOutput, TContext = unknown>(
  options: NodeOptions<TName, TInput, TOutput, TContext>,
): Node<TInput, TOutput, TContext, TName> {
  if (typeof options.name !== 'string' || options.name.length === 0)
    throw new TypeError('a node needs a non-empty name');
  const process = options.process.bind(options);
  return Object.freeze({
    name: options.name,
    input: options.input,
    output: options.output,
    retry: options.retry,
    timeoutMs: options.timeoutMs,
    process,
  });
}
