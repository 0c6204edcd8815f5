import type { GraphEdge, GraphNode, NodeState, RunDetail, WorkflowGraph } from './types.js';

const W = 150;
const H = 40;
const GAP_X = 70;
const GAP_Y = 26;
const PAD = 20;
const STATES: readonly NodeState[] = [
  'idle',
  'pending',
  'running',
  'waiting',
  'retrying',
  'completed',
  'failed',
];

function x(node: GraphNode): number {
  return PAD + node.layer * (W + GAP_X);
}
function y(node: GraphNode): number {
  return PAD + node.row * (H + GAP_Y);
}

/** An edge as a curve from the right side of `from` to the left side of `to`; loops bend below. */
function edgePath(from: GraphNode, to: GraphNode, height: number): string {
  const sx = x(from) + W;
  const sy = y(from) + H / 2;
  const tx = x(to);
  const ty = y(to) + H / 2;
  if (to.layer > from.layer) {
    const mid = (sx + tx) / 2;
    return `M${sx},${sy} C${mid},${sy} ${mid},${ty} ${tx},${ty}`;
  }
  // Back edge (a loop): leave right, run under the drawing, enter from the left.
  const below = height - 8;
  return `M${sx},${sy} C${sx + 40},${sy} ${sx + 40},${below} ${(sx + tx) / 2},${below} S${tx - 40},${ty} ${tx},${ty}`;
}

function Edge({ edge, byName, height }: { edge: GraphEdge; byName: Map<string, GraphNode>; height: number }) {
  const from = byName.get(edge.from);
  const to = byName.get(edge.to);
  if (from === undefined || to === undefined) return null;
  const lx = (x(from) + W + x(to)) / 2;
  const ly = (y(from) + y(to)) / 2 + H / 2 - 4;
  return (
    <g class={edge.fallback ? 'edge fallback' : 'edge'}>
      <path d={edgePath(from, to, height)} marker-end="url(#arrow)" />
      {edge.label !== undefined || edge.fallback ? (
        <text x={lx} y={ly} text-anchor="middle" class="edge-label">
          {edge.fallback ? 'fallback' : edge.label}
        </text>
      ) : null}
    </g>
  );
}

/** The workflow graph, each node filled by the state of its items in this run. */
export function GraphView({ graph, nodes }: { graph: WorkflowGraph; nodes: RunDetail['nodes'] }) {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const layers = Math.max(0, ...graph.nodes.map((n) => n.layer)) + 1;
  const rows = Math.max(0, ...graph.nodes.map((n) => n.row)) + 1;
  const hasLoop = graph.edges.some((e) => (byName.get(e.to)?.layer ?? 0) <= (byName.get(e.from)?.layer ?? 0));
  const width = PAD * 2 + layers * W + (layers - 1) * GAP_X;
  const height = PAD * 2 + rows * H + (rows - 1) * GAP_Y + (hasLoop ? 30 : 0);
  return (
    <div class="graph">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
        role="img"
        aria-label={`graph of ${graph.workflow}`}
      >
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M0,0 L10,5 L0,10 z" class="arrow" />
          </marker>
        </defs>
        {graph.edges.map((e) => (
          <Edge edge={e} byName={byName} height={height} />
        ))}
        {graph.nodes.map((n) => {
          const summary = nodes[n.name];
          const state = summary?.state ?? 'idle';
          const count =
            summary === undefined ? 0 : Object.values(summary.counts).reduce((a, b) => a + (b ?? 0), 0);
          return (
            <g
              class={`node state-${state}`}
              data-node={n.name}
              data-state={state}
              transform={`translate(${x(n)},${y(n)})`}
            >
              <title>{`${n.name}: ${state}${count > 1 ? ` (${count} items)` : ''}`}</title>
              <rect width={W} height={H} rx={n.join ? 14 : 6} class={n.name === graph.start ? 'start' : ''} />
              <text x={W / 2} y={H / 2 + 4} text-anchor="middle">
                {n.name.length > 18 ? `${n.name.slice(0, 17)}…` : n.name}
                {count > 1 ? ` ×${count}` : ''}
              </text>
            </g>
          );
        })}
      </svg>
      <ul class="legend">
        {STATES.map((s) => (
          <li>
            <span class={`swatch state-${s}`} /> {s}
          </li>
        ))}
      </ul>
    </div>
  );
}
