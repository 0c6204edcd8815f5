import { describe, expect, it } from 'vitest';
import { CancelledError } from '../errors/errors.js';
import { node, type Node } from '../node/node.js';
import { Transition } from '../transition/transition.js';
import type { WorkflowCtx } from '../workflow/workflow-ctx.js';
import { workflow } from '../workflow/workflow-builder.js';
import type { Workflow } from '../workflow/workflow.js';

// Nodes that return plain values run on the engine's synchronous path (no await per step); these tests pin
// that it keeps the semantics of the asynchronous one.

function chainOf(name: string, length: number, onStep: (step: number) => void): Workflow<number, number> {
  const nodes: Node<number, number>[] = Array.from({ length }, (_, i) =>
    node({ name: `${name}${i}`, process: (x: number) => (onStep(i), x + 1) }),
  );
  let builder = workflow({ name }).start(nodes[0] as Node<number, number>);
  for (let i = 1; i < length; i++)
    builder = builder.edge(nodes[i - 1] as Node<number, number>, nodes[i] as Node<number, number>);
  return builder.build() as Workflow<number, number>;
}

describe('local engine, synchronous nodes', () => {
  it('a cancel raised by a synchronous node stops the run before the next step', async () => {
    const controller = new AbortController();
    const ran: number[] = [];
    const wf = chainOf('c', 4, (i) => {
      ran.push(i);
      if (i === 1) controller.abort();
    });
    await expect(wf.run(0, { signal: controller.signal })).rejects.toBeInstanceOf(CancelledError);
    expect(ran).toEqual([0, 1]);
  });

  it('long synchronous runs still interleave with each other', async () => {
    const order: string[] = [];
    const a = chainOf('a', 300, (i) => order.push(`a${i}`));
    const b = chainOf('b', 300, (i) => order.push(`b${i}`));
    await expect(Promise.all([a.run(0), b.run(0)])).resolves.toEqual([300, 300]);
    expect(order.indexOf('b0')).toBeLessThan(order.indexOf('a299'));
  });

  it('a synchronous node finishes even past its timeout, as it cannot be interrupted', async () => {
    const busy = node({
      name: 'busy',
      timeoutMs: 1,
      process: (n: number) => {
        const until = Date.now() + 5;
        while (Date.now() < until);
        return n + 1;
      },
    });
    await expect(workflow({ name: 'busy' }).start(busy).build().run(1)).resolves.toBe(2);
  });

  it('gives a synchronous node a complete ctx, destructurable', async () => {
    let seen: Partial<WorkflowCtx> = {};
    const probe = node({
      name: 'probe',
      process: (n: number, ctx) => {
        const { runId, itemId, attempt, node: name, sleep, signal } = ctx;
        seen = { runId, itemId, attempt, node: name, sleep, signal };
        return n;
      },
    });
    await workflow({ name: 'probe' }).start(probe).build().run(1, { runId: 'r-probe' });
    expect(seen).toMatchObject({ runId: 'r-probe', attempt: 1, node: 'probe' });
    expect(seen.itemId).toMatch(/^[0-9a-f]{32}$/);
    await expect(seen.sleep?.(0)).resolves.toBeUndefined();
    expect(seen.signal?.aborted).toBe(false);
  });

  it('nested fan-outs join correctly, also with concurrent runs sharing nothing', async () => {
    const outer = node({ name: 'outer', process: (n: number) => Transition.nextAll([n, n + 10]) });
    const inner = node({ name: 'inner', process: (n: number) => Transition.nextAll([n, n + 1, n + 2]) });
    const leaf = node({ name: 'leaf', process: (n: number) => n * 2 });
    const sumInner = node({ name: 'sumInner', process: (xs: number[]) => xs.reduce((s, x) => s + x, 0) });
    const all = node({ name: 'all', process: (xs: number[]) => xs });
    const wf = workflow({ name: 'nested' })
      .start(outer)
      .join(all, { from: outer })
      .join(sumInner, { from: inner })
      .edge(outer, inner)
      .edge(inner, leaf)
      .edge(leaf, sumInner)
      .edge(sumInner, all)
      .build();
    // Branch of n: 2n + 2(n+1) + 2(n+2) = 6n + 6.
    const expected = (n: number): number[] => [6 * n + 6, 6 * (n + 10) + 6];
    await expect(Promise.all([wf.run(0), wf.run(100, { concurrency: 2 }), wf.run(7)])).resolves.toEqual([
      expected(0),
      expected(100),
      expected(7),
    ]);
  });
});
