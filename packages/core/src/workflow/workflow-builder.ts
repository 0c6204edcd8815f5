import type { ContextDefinition } from '../context/context-definition.js';
import type { AnyNode, Node, OutputOf } from '../node/node.js';
import { BuiltWorkflow } from './built-workflow.js';
import { validateGraph, type GraphDraft } from './validate-graph.js';
import { DEFAULT_QUEUE, type Workflow } from './workflow.js';

/**
 * A node that can receive `TValue`: its input accepts `TValue`, or it is a declared join (`TJoins`) whose
 * input accepts `TValue[]`. A string names a node resolved by `build()`, without a type check.
 */
export type Target<TValue, TJoins extends string> =
  Node<TValue, any, any, string> | Node<TValue[], any, any, TJoins> | (string & {});

/** One target or several. */
export type Targets<TValue, TJoins extends string> =
  Target<TValue, TJoins> | readonly Target<TValue, TJoins>[];

/** A route arm: one or several targets; an empty array makes the arm terminal (the output ends the run). */
export type RouteArm<TValue, TJoins extends string> = Targets<TValue, TJoins> | readonly [];

type NodesIn<T> = T extends readonly (infer U)[] ? Extract<U, AnyNode> : Extract<T, AnyNode>;

type ArmNodes<TArms> = NodesIn<TArms[keyof TArms]>;

type TerminalArmOutput<TArms, TOut> = readonly [] extends TArms[keyof TArms] ? TOut : never;

/** The workflow output: outputs of nodes without outgoing edges, plus outputs of terminal route arms. */
export type TerminalOutput<TNodes, TInner extends string, TRouteOut> =
  | (string extends TInner ? OutputOf<TNodes> : OutputOf<Exclude<TNodes, { readonly name: TInner }>>)
  | TRouteOut;

/** Options of {@link workflow}. */
export interface WorkflowOptions<TContext> {
  /** Unique among the workflows a worker runs. */
  readonly name: string;
  /** Bump it when the graph changes incompatibly (default 1). */
  readonly version?: number;
  readonly context?: TContext;
  /**
   * Task queue of the workflow's items (default `'default'`): a distributed worker leases only items of
   * workflows it registered whose queue is among its `queues`, so a fleet can be split by hardware or
   * rate limit. A non-empty string of at most 200 characters.
   */
  readonly queue?: string;
  /**
   * Most items of this workflow version leased at once across the whole fleet (absent: no limit), enforced
   * by the backend's claim: a worker's claim takes no more items of it while that many leases are live.
   * An integer from 1 to 1,000,000.
   */
  readonly maxConcurrency?: number;
}

/**
 * Fluent, type-checked builder of a {@link Workflow}; finish with {@link WorkflowBuilder.build}.
 *
 * @remarks
 * Every edge is checked at compile time: the target's input must accept the source's output. A join
 * target (declared with `.join()` before the edges into it) must accept an array of it instead. All
 * graph problems are reported together by `build()`.
 *
 * @example
 * ```ts
 * const wf = workflow({ name: 'order', context: OrderContext })
 *   .start(validate)
 *   .edge(validate, charge)
 *   .onFailure(charge, refund)
 *   .build();
 * ```
 */
export class WorkflowBuilder<
  TContext,
  TInput,
  TNodes extends AnyNode = never,
  TInner extends string = never,
  TJoins extends string = never,
  TRouteOut = never,
> {
  private readonly draft: GraphDraft;

  constructor(options: WorkflowOptions<TContext>) {
    this.draft = {
      name: options.name,
      version: options.version ?? 1,
      queue: options.queue ?? DEFAULT_QUEUE,
      maxConcurrency: options.maxConcurrency,
      context: options.context as ContextDefinition | undefined,
      starts: [],
      nodes: new Map(),
      duplicates: new Set(),
      refs: [],
      edges: new Map(),
      routes: new Map(),
      fallbacks: new Map(),
      joins: new Map(),
      problems: [],
    };
  }

  /** Sets the start node; the run's input is its input. */
  start<TStart extends AnyNode>(
    node: TStart,
  ): WorkflowBuilder<
    TContext,
    TStart extends Node<infer TIn, any, any, string> ? TIn : never,
    TNodes | TStart,
    TInner,
    TJoins,
    TRouteOut
  > {
    this.draft.starts.push(this.register(node, 'start'));
    return this as never;
  }

  /** Adds edges from `from` to one or several successors; each successor receives every output. */
  edge<TFromName extends string, TOut, const TTo extends Targets<NoInfer<TOut>, TJoins>>(
    from: Node<any, TOut, any, TFromName>,
    to: TTo,
  ): WorkflowBuilder<
    TContext,
    TInput,
    TNodes | Node<any, TOut, any, TFromName> | NodesIn<TTo>,
    TInner | TFromName,
    TJoins,
    TRouteOut
  > {
    const source = this.register(from, 'edge');
    const list = this.draft.edges.get(source) ?? [];
    for (const target of toList(to)) list.push(this.register(target, `edge from '${source}'`));
    this.draft.edges.set(source, list);
    return this as never;
  }

  /**
   * Adds conditional edges: each output goes to the arm named by `discriminant(output)` (or by the value
   * of property `discriminant` of the output). An empty arm `[]` is terminal. With a property name, each
   * arm only has to accept the outputs whose property has that value.
   */
  route<
    TFromName extends string,
    TOut,
    TKey extends keyof TOut & string,
    const TArms extends {
      readonly [K in TOut[TKey] & (string | number)]: NoInfer<
        RouteArm<Extract<TOut, Readonly<Record<TKey, K>>>, TJoins>
      >;
    },
  >(
    from: Node<any, TOut, any, TFromName>,
    discriminant: TKey,
    arms: TArms,
  ): WorkflowBuilder<
    TContext,
    TInput,
    TNodes | Node<any, TOut, any, TFromName> | ArmNodes<TArms>,
    TInner | TFromName,
    TJoins,
    TRouteOut | TerminalArmOutput<TArms, TOut>
  >;
  route<
    TFromName extends string,
    TOut,
    TKey extends string | number,
    const TArms extends { readonly [K in TKey]: RouteArm<NoInfer<TOut>, TJoins> },
  >(
    from: Node<any, TOut, any, TFromName>,
    discriminant: (output: TOut) => TKey,
    arms: TArms,
  ): WorkflowBuilder<
    TContext,
    TInput,
    TNodes | Node<any, TOut, any, TFromName> | ArmNodes<TArms>,
    TInner | TFromName,
    TJoins,
    TRouteOut | TerminalArmOutput<TArms, TOut>
  >;
  route(
    from: AnyNode,
    discriminant: string | ((output: unknown) => unknown),
    arms: Record<string, unknown>,
  ): unknown {
    const source = this.register(from, 'route');
    const entries = Object.entries(arms);
    if (entries.length === 0) this.draft.problems.push(`route from '${source}' has no arms`);
    if (this.draft.routes.has(source)) this.draft.problems.push(`node '${source}' has more than one route`);
    const armMap = new Map<string, string[]>();
    for (const [key, arm] of entries) {
      armMap.set(
        key,
        toList(arm as Targets<unknown, string>).map((t) =>
          this.register(t, `route '${source}' arm '${key}'`),
        ),
      );
    }
    const fn =
      typeof discriminant === 'string'
        ? (output: unknown) => (output as Record<string, unknown> | null | undefined)?.[discriminant]
        : discriminant;
    this.draft.routes.set(source, {
      discriminant: fn,
      ...(typeof discriminant === 'string' ? { key: discriminant } : {}),
      arms: armMap,
    });
    return this;
  }

  /** When `from` fails for good (retries exhausted), its original input goes to `to` instead. */
  onFailure<TFromIn, const TTo extends Targets<NoInfer<TFromIn>, TJoins>>(
    from: Node<TFromIn, any, any, string>,
    to: TTo,
  ): WorkflowBuilder<TContext, TInput, TNodes | NodesIn<TTo>, TInner, TJoins, TRouteOut> {
    const source = this.register(from, 'onFailure');
    const list = this.draft.fallbacks.get(source) ?? [];
    for (const target of toList(to)) list.push(this.register(target, `onFailure from '${source}'`));
    this.draft.fallbacks.set(source, list);
    return this as never;
  }

  /**
   * Makes `node` a join of the fan-out made by `from`: it runs once, when every branch of one `from` step
   * has arrived, with their outputs in fan-out order. Declare it before the edges leading into it.
   */
  join<TJoin extends Node<readonly any[], any, any, string> | Node<any[], any, any, string>>(
    node: TJoin,
    options: { readonly from: AnyNode | string },
  ): WorkflowBuilder<TContext, TInput, TNodes | TJoin, TInner, TJoins | TJoin['name'], TRouteOut> {
    const name = this.register(node, 'join');
    const from = typeof options.from === 'string' ? options.from : options.from.name;
    if (typeof options.from !== 'string') this.noteDuplicate(options.from);
    this.draft.refs.push({ name: from, where: `join '${name}' from` });
    if (this.draft.joins.has(name))
      this.draft.problems.push(`node '${name}' is declared as a join more than once`);
    this.draft.joins.set(name, from);
    return this as never;
  }

  /** Validates the graph and returns the workflow; throws a WorkflowDefinitionError listing every problem. */
  build(): Workflow<TInput, TerminalOutput<TNodes, TInner, TRouteOut>, TContext> {
    return new BuiltWorkflow(validateGraph(this.draft));
  }

  private register(node: AnyNode | string, where: string): string {
    if (typeof node === 'string') {
      this.draft.refs.push({ name: node, where });
      return node;
    }
    this.noteDuplicate(node);
    if (!this.draft.nodes.has(node.name)) this.draft.nodes.set(node.name, node);
    return node.name;
  }

  private noteDuplicate(node: AnyNode): void {
    const known = this.draft.nodes.get(node.name);
    if (known !== undefined && known !== node) this.draft.duplicates.add(node.name);
  }
}

function toList<T>(value: T | readonly T[]): readonly T[] {
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

/** Starts a workflow definition. */
export function workflow<TContext = unknown>(
  options: WorkflowOptions<TContext>,
): WorkflowBuilder<TContext, never> {
  return new WorkflowBuilder<TContext, never>(options);
}
