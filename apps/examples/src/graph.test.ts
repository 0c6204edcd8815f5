import { describe, expect, it } from 'vitest';
import { main } from './graph.js';

describe('graph example', () => {
  it('renders Mermaid and DOT with route labels, a join and a dashed fallback', async () => {
    const text = await main();
    expect(text).toMatch(/^flowchart LR/);
    expect(text).toContain('-- "long" -->');
    expect(text).toContain('join of fan-out');
    expect(text).toContain('digraph "graph-demo"');
    expect(text).toContain('"enrich" -> "recover" [style="dashed"');
    expect(text).toContain('"collect" -> "short" [label="short"]');
  });
});
