import type { ContextDefinition } from '../context/context-definition.js';
import { WorkflowDefinitionError } from '../errors/errors.js';
import type { AnyNode } from '../node/node.js';
import type { JoinDefinition, RouteDefinition } from './workflow.js';

/** The builder's raw, unchecked declarations. */
export interface GraphDraft {
  readonly name: string;
  readonly version: number;
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
  readonly context: ContextDefinition | undefined;
  readonly start: string;
  readonly nodes: ReadonlyMap<string, AnyNode>;
  readonly edges: ReadonlyMap<string, readonly string[]>;
  readonly routes: ReadonlyMap<string, RouteDefinition>;
  readonly fallbacks: ReadonlyMap<string, readonly string[]>;
  readonly joins: ReadonlyMap<string, JoinDefinition>;
  readonly joinSources: ReadonlyMap<string, string>;
}

function successorsOf(draft: GraphDraft, name: string): string[] {
  const out = [...(draft.edges.get(name) ?? []), ...(draft.fallbacks.get(name) ?? [])];
  const route = draft.routes.get(name);
  if (route) for (const arm of route.arms.values()) out.push(...arm);
  return out;
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
