import type { AnyWorkflow } from '@floxide/core';

/** A node of a drawn workflow graph, placed in a column (`layer`) and a row within it. */
export interface GraphNode {
  readonly name: string;
  readonly layer: number;
  readonly row: number;
  readonly join: boolean;
  readonly terminal: boolean;
}

/** An edge of a drawn workflow graph. `label` names a route arm; `fallback` marks an on-failure edge. */
export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
  readonly fallback: boolean;
}

/** A workflow's graph, laid out left to right, as the dashboard's front end draws it. */
export interface WorkflowGraph {
  readonly workflow: string;
  readonly version: number;
  readonly start: string;
  readonly nodes: GraphNode[];
  readonly edges: GraphEdge[];
}

/** Every edge of the workflow: plain successors, route arms and fallbacks. */
function edgesOf(workflow: AnyWorkflow): GraphEdge[] {
  const edges: GraphEdge[] = [];
  for (const [from, targets] of workflow.edges)
    for (const to of targets) edges.push({ from, to, fallback: false });
  for (const [from, route] of workflow.routes)
    for (const [label, targets] of route.arms)
      for (const to of targets) edges.push({ from, to, label, fallback: false });
  for (const [from, targets] of workflow.fallbacks)
    for (const to of targets) edges.push({ from, to, fallback: true });
  return edges;
}

/**
 * Lays a workflow's graph out in columns: each node sits one column right of its furthest predecessor on
 * a path from the start that does not revisit a node (so loops do not stretch the drawing forever).
 *
 * @remarks The same graph `toMermaid` draws, in a shape the browser can colour node by node.
 */
export function workflowGraph(workflow: AnyWorkflow): WorkflowGraph {
  const edges = edgesOf(workflow);
  const successors = new Map<string, string[]>();
  for (const e of edges) successors.set(e.from, [...(successors.get(e.from) ?? []), e.to]);
  const layer = new Map<string, number>();
  // Longest path on the DAG left after dropping edges back to a node already on the current path.
  const visit = (name: string, depth: number, path: Set<string>): void => {
    const placed = layer.get(name);
    if (placed !== undefined && placed >= depth) return;
    layer.set(name, depth);
    path.add(name);
    for (const next of successors.get(name) ?? []) if (!path.has(next)) visit(next, depth + 1, path);
    path.delete(name);
  };
  visit(workflow.start, 0, new Set());
  // Nodes unreachable from the start (validation normally forbids them) go in a last column.
  const last = Math.max(0, ...layer.values()) + 1;
  const rows = new Map<number, number>();
  const nodes: GraphNode[] = [...workflow.nodes.keys()].map((name) => {
    const l = layer.get(name) ?? last;
    const row = rows.get(l) ?? 0;
    rows.set(l, row + 1);
    return { name, layer: l, row, join: workflow.joins.has(name), terminal: workflow.isTerminal(name) };
  });
  return { workflow: workflow.name, version: workflow.version, start: workflow.start, nodes, edges };
}
