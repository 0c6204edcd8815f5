import { describe, expect, it } from 'vitest';
import { node, workflow } from '@floxide/core';
import { gatedWorkflow } from '../test-support/workflows.js';
import { workflowGraph } from './workflow-graph.js';

describe('workflowGraph', () => {
  it('places each node one column right of its furthest predecessor and marks joins and terminals', () => {
    const g = workflowGraph(gatedWorkflow);
    const at = Object.fromEntries(g.nodes.map((n) => [n.name, [n.layer, n.row]]));
    expect(at).toEqual({ fetch: [0, 0], 'fan-out': [1, 0], wait: [2, 0], collect: [3, 0], store: [4, 0] });
    expect(g.nodes.find((n) => n.name === 'collect')?.join).toBe(true);
    expect(g.nodes.find((n) => n.name === 'store')?.terminal).toBe(true);
    expect(g.edges).toContainEqual({ from: 'wait', to: 'collect', fallback: false });
  });

  it('draws route arms with their labels, fallbacks, and survives a loop back to an earlier node', () => {
    const check = node({
      name: 'check',
      process: (n: number) => ({ kind: n > 3 ? ('done' as const) : ('again' as const), n }),
    });
    const again = node({ name: 'again', process: (x: { n: number }) => x.n + 1 });
    const done = node({ name: 'done', process: (x: { n: number }) => x.n });
    const rescue = node({ name: 'rescue', process: () => 0 });
    const wf = workflow({ name: 'loop' })
      .start(check)
      .route(check, 'kind', { again, done })
      .edge(again, check)
      .onFailure(check, rescue)
      .build();
    const g = workflowGraph(wf);
    const layer = Object.fromEntries(g.nodes.map((n) => [n.name, n.layer]));
    expect(layer).toEqual({ check: 0, again: 1, done: 1, rescue: 1 });
    expect(g.edges).toContainEqual({ from: 'check', to: 'again', label: 'again', fallback: false });
    expect(g.edges).toContainEqual({ from: 'again', to: 'check', fallback: false });
    expect(g.edges).toContainEqual({ from: 'check', to: 'rescue', fallback: true });
    // Nodes sharing a column get distinct rows.
    expect(new Set(g.nodes.filter((n) => n.layer === 1).map((n) => n.row)).size).toBe(3);
  });
});
