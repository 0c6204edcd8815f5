import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EXAMPLES, findExample } from './examples.js';

describe('example registry', () => {
  it('lists every example module exactly once, and each loads a main()', async () => {
    const dir = fileURLToPath(new URL('.', import.meta.url));
    const support = new Set(['examples.ts', 'run.ts', 'run-main.ts', 'index.ts']);
    const modules = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !support.has(f))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(EXAMPLES.map((e) => e.name).sort()).toEqual(modules);
    for (const example of EXAMPLES) expect(typeof (await example.load()).main).toBe('function');
  });

  it('finds examples by name', () => {
    expect(findExample('hello')?.rust).toBe('terminal_node_example.rs');
    expect(findExample('nope')).toBeUndefined();
  });
});
