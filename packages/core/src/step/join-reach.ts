import type { RouteDefinition } from '../workflow/workflow.js';

/** The part of a graph the join checks read: outgoing edges, routes and on-failure edges. */
export interface GraphEdges {
  readonly edges: ReadonlyMap<string, readonly string[]>;
  readonly routes: ReadonlyMap<string, RouteDefinition>;
  readonly fallbacks: ReadonlyMap<string, readonly string[]>;
}

/** Every node a step of `name` can send work to (edges, every route arm, on-failure edges). */
export function successorsOf(graph: GraphEdges, name: string): string[] {
  const out = [...(graph.edges.get(name) ?? []), ...(graph.fallbacks.get(name) ?? [])];
  const route = graph.routes.get(name);
  if (route) for (const arm of route.arms.values()) out.push(...arm);
  return out;
}

/**
 * The nodes from which `join` can be reached without passing through its fan-out `source` (`join`
 * included). A step inside a branch of that fan-out that sends work to two of them would make the branch
 * arrive at the join twice. Paths through `source` do not count: they start a new fan-out, with a join
 * of its own.
 */
export function nodesReaching(
  graph: GraphEdges,
  nodes: Iterable<string>,
  join: string,
  source: string,
): Set<string> {
  const predecessors = new Map<string, string[]>();
  for (const name of nodes)
    for (const next of successorsOf(graph, name)) {
      const list = predecessors.get(next);
      if (list === undefined) predecessors.set(next, [name]);
      else list.push(name);
    }
  const seen = new Set<string>([join]);
  const stack = [join];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    for (const previous of predecessors.get(current) ?? []) {
      if (previous === source || seen.has(previous)) continue;
      seen.add(previous);
      stack.push(previous);
    }
  }
  return seen;
}

/** A shortest path `from` → `to` (names, both ends included) avoiding `avoid`; undefined when none. */
export function pathBetween(
  graph: GraphEdges,
  from: string,
  to: string,
  avoid: ReadonlySet<string>,
): string[] | undefined {
  const parent = new Map<string, string>();
  const queue = [from];
  const seen = new Set<string>([from]);
  for (let head = 0; head < queue.length; head++) {
    const current = queue[head] as string;
    if (current === to) {
      const path = [to];
      for (let n = to; n !== from;) {
        n = parent.get(n) as string;
        path.unshift(n);
      }
      return path;
    }
    for (const next of successorsOf(graph, current)) {
      if (seen.has(next) || (avoid.has(next) && next !== to)) continue;
      seen.add(next);
      parent.set(next, current);
      queue.push(next);
    }
  }
  return undefined;
}

/** What the runtime check needs of a workflow: its graph, nodes and joins. */
export interface JoinGraph extends GraphEdges {
  readonly nodes: ReadonlyMap<string, unknown>;
  readonly joins: ReadonlyMap<string, { readonly from: string }>;
}

const reachers = new WeakMap<JoinGraph, Map<string, ReadonlySet<string>>>();

/** {@link nodesReaching} for a built workflow's join, computed once per workflow and join. */
export function joinReachers(workflow: JoinGraph, join: string): ReadonlySet<string> {
  let perJoin = reachers.get(workflow);
  if (perJoin === undefined) reachers.set(workflow, (perJoin = new Map()));
  let set = perJoin.get(join);
  if (set === undefined) {
    const source = workflow.joins.get(join)?.from ?? '';
    set = nodesReaching(workflow, workflow.nodes.keys(), join, source);
    perJoin.set(join, set);
  }
  return set;
}
