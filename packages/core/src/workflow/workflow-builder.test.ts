import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { WorkflowDefinitionError, ValidationError } from '../errors/errors.js';
import { node } from '../node/node.js';
import { Transition } from '../transition/transition.js';
import { workflow } from './workflow-builder.js';

const a = node({ name: 'a', process: (n: number) => n });
const b = node({ name: 'b', process: (n: number) => n });
const c = node({ name: 'c', process: (n: number) => n });

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WorkflowDefinitionError);
    expect((error as WorkflowDefinitionError).code).toBe('WORKFLOW_DEFINITION');
    return (error as WorkflowDefinitionError).problems;
  }
  throw new Error('expected build() to throw');
}

describe('workflow().build()', () => {
  it('builds the graph fields others read', () => {
    const wf = workflow({ name: 'g', version: 3 }).start(a).edge(a, [b, c]).onFailure(b, c).build();
    expect(wf.name).toBe('g');
    expect(wf.version).toBe(3);
    expect(wf.start).toBe('a');
    expect([...wf.nodes.keys()]).toEqual(['a', 'b', 'c']);
    expect(wf.edges.get('a')).toEqual(['b', 'c']);
    expect(wf.fallbacks.get('b')).toEqual(['c']);
    expect(wf.isTerminal('a')).toBe(false);
    expect(wf.isTerminal('c')).toBe(true);
    expect(workflow({ name: 'v' }).start(a).build().version).toBe(1);
  });

  it('keeps maxConcurrency, and rejects one that is not an integer from 1 to 1,000,000', () => {
    expect(workflow({ name: 'm', maxConcurrency: 3 }).start(a).build().maxConcurrency).toBe(3);
    expect(workflow({ name: 'm' }).start(a).build().maxConcurrency).toBeUndefined();
    for (const maxConcurrency of [0, -1, 1.5, 1_000_001, Number.NaN])
      expect(problemsOf(() => workflow({ name: 'm', maxConcurrency }).start(a).build())).toEqual([
        `maxConcurrency must be an integer from 1 to 1,000,000 (got ${String(maxConcurrency)})`,
      ]);
  });

  it('rejects a workflow without start', () => {
    expect(problemsOf(() => workflow({ name: 'x' }).edge(a, b).build())).toContain(
      'no start node (call .start(node))',
    );
  });

  it('lists every problem in one error', () => {
    const a2 = node({ name: 'a', process: (n: number) => n });
    const fan = node({ name: 'fan', process: (n: number) => Transition.nextAll([n]) });
    const collect = node({ name: 'collect', process: (xs: number[]) => xs.length });
    const island = node({ name: 'island', process: (n: number) => n });
    const islandNext = node({ name: 'islandNext', process: (n: number) => n });
    const problems = problemsOf(() =>
      workflow({ name: 'broken' })
        .start(a)
        .edge(a, [b, 'ghost'])
        .edge(b, a2)
        .route(c, (n) => String(n), {})
        .edge(b, fan)
        .join(collect, { from: fan })
        .edge(island, collect)
        .edge(island, islandNext)
        .route(b, (n: number) => (n > 1 ? 'x' : 'y'), { x: 'nowhere', y: [] })
        .build(),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        "duplicate node name 'a' (two different nodes share it)",
        "edge from 'a': node 'ghost' is not in the graph",
        "route 'b' arm 'x': node 'nowhere' is not in the graph",
        "route from 'c' has no arms",
        "node 'b' has both edges and a route",
        "join 'collect' cannot be reached from its fan-out source 'fan'",
        "node 'island' is unreachable from start 'a'",
        "node 'islandNext' is unreachable from start 'a'",
        "node 'c' is unreachable from start 'a'",
      ]),
    );
    expect(problems.length).toBeGreaterThanOrEqual(9);
  });

  it('rejects a join whose source is not in the graph', () => {
    const collect = node({ name: 'collect', process: (xs: number[]) => xs.length });
    const stranger = node({ name: 'stranger', process: (n: number) => Transition.nextAll([n]) });
    const problems = problemsOf(() =>
      workflow({ name: 'j' }).start(a).join(collect, { from: stranger }).edge(a, collect).build(),
    );
    expect(problems).toContain("join 'collect' from: node 'stranger' is not in the graph");
  });

  it('accepts the same node object mentioned several times and string references to known nodes', () => {
    const wf = workflow({ name: 'ok' }).start(a).edge(a, b).edge(b, 'c').edge(c, []).build();
    expect(wf.edges.get('b')).toEqual(['c']);
  });

  it('rejects schema-invalid input with ValidationError before any node runs', async () => {
    let ran = false;
    const strict = node({
      name: 'strict',
      input: z.object({ id: z.string() }),
      process: (input) => {
        ran = true;
        return input.id;
      },
    });
    const wf = workflow({ name: 'strict' }).start(strict).build();
    const error = await wf.run({ id: 42 } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.length).toBeGreaterThan(0);
    expect(ran).toBe(false);
    expect(() => wf.createStartItem('r', { id: 1 })).toThrow(ValidationError);
    await expect(wf.run({ id: 'ok' })).resolves.toBe('ok');
  });
});
