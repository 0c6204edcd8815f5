import type { ContextDefinition } from '../context/context-definition.js';
import { WorkflowDefinitionError } from '../errors/errors.js';
import type { AnyNode } from '../node/node.js';
import { nodesReaching, pathBetween, successorsOf } from '../step/join-reach.js';
import type { JoinDefinition, RouteDefinition } from './workflow.js';

/** The builder's raw, unchecked declarations. */
export interface GraphDraft {
  readonly name: string;
  readonly version: number;
  readonly queue: string;
  readonly maxConcurrency: number | undefined;
  readonly context: ContextDefinition | undefined;
  readonly starts: string[];
  readonly nodes: Map<string, AnyNode>;
  readonly duplicates: Set<string>;
  /** Names referenced by string (or join sources) that must exist. */
  readonly refs: { readonly name: string; readonly where: string }[];
  readonly edges: Map<string, string[]>;
  readonly routes: Map<string, RouteDefinition>;
  readonly fallbacks: Map<string, string[]>;
  /** Join node name → fan-out source name. */
  readonly joins: Map<string, string>;
  readonly problems: string[];
}

/** A validated graph, ready for {@link BuiltWorkflow}. */
export interface GraphDefinition {
  readonly name: string;
  readonly version: number;
  readonly queue: string;
  readonly maxConcurrency: number | undefined;
  readonly context: ContextDefinition | undefined;
  readonly start: string;
  readonly nodes: ReadonlyMap<string, AnyNode>;
  readonly edges: ReadonlyMap<string, readonly string[]>;
  readonly routes: ReadonlyMap<string, RouteDefinition>;
  readonly fallbacks: ReadonlyMap<string, readonly string[]>;
  readonly joins: ReadonlyMap<string, JoinDefinition>;
  readonly joinSources: ReadonlyMap<string, string>;
}

function reachableFrom(draft: GraphDraft, start: string): Set<string> {
  const seen = new Set<string>([start]);
  const stack = [start];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    for (const next of successorsOf(draft, current)) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return seen;
}

/** Checks every rule of a workflow graph; throws one WorkflowDefinitionError listing all problems. */
export function validateGraph(draft: GraphDraft): GraphDefinition {
  const problems = [...draft.problems];
  if (draft.queue.length === 0 || draft.queue.length > 200)
    problems.push(`queue must be a non-empty string of at most 200 characters (got '${draft.queue}')`);
  const limit = draft.maxConcurrency;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 1_000_000))
    problems.push(`maxConcurrency must be an integer from 1 to 1,000,000 (got ${String(limit)})`);
  const start = draft.starts[0];
  if (start === undefined) problems.push('no start node (call .start(node))');
  if (draft.starts.length > 1) problems.push(`start is declared ${draft.starts.length} times`);
  for (const name of draft.duplicates)
    problems.push(`duplicate node name '${name}' (two different nodes share it)`);
  for (const ref of draft.refs) {
    if (!draft.nodes.has(ref.name)) problems.push(`${ref.where}: node '${ref.name}' is not in the graph`);
  }
  for (const name of draft.routes.keys()) {
    if (draft.edges.has(name)) problems.push(`node '${name}' has both edges and a route`);
  }
  const joinSources = new Map<string, string>();
  for (const [join, from] of draft.joins) {
    const other = joinSources.get(from);
    if (other !== undefined)
      problems.push(`node '${from}' is the fan-out source of two joins ('${other}', '${join}')`);
    joinSources.set(from, join);
    if (draft.nodes.has(from) && !reachableFrom(draft, from).has(join)) {
      problems.push(`join '${join}' cannot be reached from its fan-out source '${from}'`);
    }
  }
  if (problems.length === 0) problems.push(...joinBranchProblems(draft, joinSources));
  if (start !== undefined) {
    const reachable = reachableFrom(draft, start);
    for (const name of draft.nodes.keys()) {
      if (!reachable.has(name)) problems.push(`node '${name}' is unreachable from start '${start}'`);
    }
  }
  if (problems.length > 0) throw new WorkflowDefinitionError(draft.name, problems);
  const joins = new Map<string, JoinDefinition>();
  for (const [node, from] of draft.joins) joins.set(node, { node, from });
  return {
    name: draft.name,
    version: draft.version,
    queue: draft.queue,
    maxConcurrency: draft.maxConcurrency,
    context: draft.context,
    start: start as string,
    nodes: new Map(draft.nodes),
    edges: new Map(draft.edges),
    routes: new Map(draft.routes),
    fallbacks: new Map(draft.fallbacks),
    joins,
    joinSources,
  };
}

/**
 * A join takes one value per branch of its fan-out. A node inside a branch (reachable from the fan-out
 * source without passing the join) that sends one output along two edges — or two targets of one route
 * arm, or two on-failure edges — that both lead to the join would make that branch arrive twice. Route
 * arms are alternatives (one is taken), so arms that each lead to the join are fine. Nodes that are the
 * source of an inner join are fine too: their outputs open branches of their own.
 */
function joinBranchProblems(draft: GraphDraft, joinSources: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  for (const [join, source] of draft.joins) {
    const reaching = nodesReaching(draft, draft.nodes.keys(), join, source);
    const stop = new Set([join, source]);
    const region = new Set<string>();
    const stack = successorsOf(draft, source).filter((n) => !stop.has(n));
    for (const n of stack) region.add(n);
    while (stack.length > 0) {
      const current = stack.pop() as string;
      for (const next of successorsOf(draft, current)) {
        if (stop.has(next) || region.has(next)) continue;
        region.add(next);
        stack.push(next);
      }
    }
    for (const name of region) {
      if (joinSources.has(name)) continue;
      const groups: (readonly string[])[] = [draft.edges.get(name) ?? [], draft.fallbacks.get(name) ?? []];
      const route = draft.routes.get(name);
      if (route) groups.push(...route.arms.values());
      for (const group of groups) {
        const toJoin = [...new Set(group.filter((t) => reaching.has(t)))];
        if (toJoin.length < 2) continue;
        const paths = toJoin.slice(0, 2).map((t) => {
          const head = pathBetween(draft, source, name, stop) ?? [source, '…', name];
          const tail = pathBetween(draft, t, join, new Set([source])) ?? [t, '…', join];
          return [...head, ...tail].join(' → ');
        });
        problems.push(
          `join '${join}' would receive two values from one branch of '${source}': node '${name}' sends ` +
            `one output to ${toJoin.map((t) => `'${t}'`).join(' and ')}, which all lead to the join ` +
            `(${paths.join('; ')}); give '${name}' a join of its own, or route to one of them`,
        );
        break;
      }
    }
  }
  return problems;
}
