import { describe, expect, it } from 'vitest';
import { node } from '../node/node.js';
import { Transition } from '../transition/transition.js';
import { workflow } from '../workflow/workflow-builder.js';
import { toDot } from './to-dot.js';
import { toMermaid } from './to-mermaid.js';

const review = node({ name: 'review', process: (n: number) => ({ kind: n > 0 ? 'ok' : 'stop' }) as const });
const fan = node({ name: 'fan', process: (r: { kind: string }) => Transition.nextAll([r, r]) });
const collect = node({ name: 'collect', process: (xs: unknown[]) => xs.length });
const rescue = node({ name: 'res"cue', process: (n: number) => n });
const wf = workflow({ name: 'graph' })
  .start(review)
  .join(collect, { from: fan })
  .route(review, 'kind', { ok: fan, stop: [] })
  .edge(fan, collect)
  .onFailure(review, rescue)
  .build();

describe('graph export', () => {
  it('toDot draws nodes, edges, route labels, dashed fallbacks and joins', () => {
    const dot = toDot(wf);
    expect(dot).toContain('digraph "graph" {');
    expect(dot).toContain('"review" -> "fan" [label="ok"];');
    expect(dot).toMatch(/"review" -> "output 0" \[label="stop"\];/);
    expect(dot).toContain('"fan" -> "collect";');
    expect(dot).toContain('"review" -> "res\\"cue" [style="dashed" color="red" label="fallback"];');
    expect(dot).toContain('"collect" [shape=doubleoctagon];');
    expect(dot.trim().endsWith('}')).toBe(true);
  });

  it('toMermaid draws the same graph as a flowchart', () => {
    const mermaid = toMermaid(wf);
    expect(mermaid.startsWith('flowchart LR\n')).toBe(true);
    expect(mermaid).toContain('start((start)) --> n0');
    // Ids follow declaration order: review, collect, fan, rescue.
    expect(mermaid).toContain('n0 -- "ok" --> n2');
    expect(mermaid).toContain('n0 -- "stop" --> out0');
    expect(mermaid).toContain('n2 --> n1');
    expect(mermaid).toContain('n0 -. fallback .-> n3');
    expect(mermaid).toContain('n1{{"collect (join of fan)"}}');
    expect(mermaid).toContain('n3["res#quot;cue"]');
  });
});
