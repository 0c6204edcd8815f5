import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { context } from '../context/context-definition.js';
import { register } from '../context/context-fields.js';
import { isFloxideError } from '../errors/floxide-error.js';
import { NodeError, SerializationError, WorkflowDefinitionError } from '../errors/errors.js';
import { node, type AnyNode } from '../node/node.js';
import type { AnyWorkflow } from '../workflow/workflow.js';
import { RetryPolicy } from '../retry/retry-policy.js';
import { Transition } from '../transition/transition.js';
import { workflow } from '../workflow/workflow-builder.js';
import { toStorable } from './storable-json.js';

/** The error a failed local run was caused by (the local engine wraps node failures in NodeError). */
async function causeOfRun(run: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await run.then(
    () => {
      throw new Error('the run should have failed');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NodeError);
  const cause = (error as NodeError).cause as { code: string; message: string };
  return { code: cause.code, message: cause.message };
}

function circular(): unknown {
  const o: Record<string, unknown> = { a: 1 };
  o['self'] = o;
  return o;
}

class Point {
  constructor(readonly x: number) {}
}

describe('toStorable (the one rule for values JSON cannot carry)', () => {
  it.each([
    ['BigInt', { items: [1, 2, 3, 4n] }, 'output.items[3]: BigInt cannot be stored'],
    ['circular', { deep: circular() }, 'output.deep.self: circular reference cannot be stored'],
    ['function', { f: () => 1 }, 'output.f: a function cannot be stored'],
    ['symbol', [Symbol('s')], 'output[0]: a symbol cannot be stored'],
    ['NaN', { n: Number.NaN }, 'output.n: NaN cannot be stored'],
    ['Infinity', { 'odd key': -Infinity }, 'output["odd key"]: -Infinity cannot be stored'],
    ['Map', new Map([[1, 2]]), 'output: a Map cannot be stored'],
    ['Set', { s: new Set([1]) }, 'output.s: a Set cannot be stored'],
    ['class instance', { p: new Point(1) }, 'output.p: an instance of Point cannot be stored'],
  ])('refuses %s with the path of the value', (_kind, value, message) => {
    let thrown: unknown;
    try {
      toStorable(value, 'output', undefined, 'x');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SerializationError);
    expect((thrown as SerializationError).code).toBe('SERIALIZATION');
    expect((thrown as SerializationError).message).toBe(
      `node 'x' produced a value that cannot be stored as JSON: ${message}`,
    );
  });

  it('keeps plain JSON as the same reference and changes the rest as JSON does', () => {
    const plain = { a: [1, 'x', null, { b: true }], c: Object.create(null) as object };
    expect(toStorable(plain, 'output', undefined, 'n')).toBe(plain);
    const when = new Date(Date.UTC(2024, 0, 2));
    const mixed = { when, gone: undefined, list: [undefined, 1], shared: plain, shared2: plain };
    const stored = toStorable(mixed, 'output', undefined, 'n');
    expect(stored).toEqual(JSON.parse(JSON.stringify(mixed)));
    expect(stored).toEqual({
      when: '2024-01-02T00:00:00.000Z',
      list: [null, 1],
      shared: plain,
      shared2: plain,
    });
    expect(toStorable(undefined, 'output', undefined, 'n')).toBeUndefined();
    expect(toStorable(3, 'output', undefined, 'n')).toBe(3);
  });
});

describe('unstorable values fail their step (local engine)', () => {
  it('a BigInt output fails the run with SERIALIZATION naming the node and path', async () => {
    const bad = node({ name: 'bad', process: () => ({ items: [1, 2, 3, 4n] }) });
    const wf = workflow({ name: 'big' }).start(bad).build();
    const cause = await causeOfRun(wf.run(undefined));
    expect(cause.code).toBe('SERIALIZATION');
    expect(cause.message).toContain("node 'bad'");
    expect(cause.message).toContain('output.items[3]: BigInt cannot be stored');
  });

  it('a fan-out value names its index; the retry policy does not retry it', async () => {
    let attempts = 0;
    const fan = node({
      name: 'fan',
      retry: RetryPolicy.fixed({ maxAttempts: 3, initialDelayMs: 1 }),
      process: () => {
        attempts += 1;
        return Transition.nextAll([1, Number.NaN]);
      },
    });
    const sink = node({ name: 'sink', process: (n: number) => n });
    const wf = workflow({ name: 'fanbad' }).start(fan).edge(fan, sink).build();
    const cause = await causeOfRun(wf.run(undefined));
    expect(cause.message).toContain('outputs[1]: NaN cannot be stored');
    expect(attempts).toBe(1);
  });

  it('a context value that cannot be stored fails the step; onFailure still applies', async () => {
    const Ctx = context({ status: register(z.any()) });
    const bad = node({
      name: 'bad',
      process: (_: unknown, ctx) => {
        (ctx.context as { status: { set(v: unknown): void } }).status.set(new Map());
        return 1;
      },
    });
    const rescue = node({ name: 'rescue', process: () => 'rescued' });
    const wf = workflow({ name: 'ctxbad', context: Ctx }).start(bad).onFailure(bad, rescue).build();
    await expect(wf.run(undefined)).resolves.toBe('rescued');
    const plain = workflow({ name: 'ctxbad2', context: Ctx }).start(bad).build();
    const cause = await causeOfRun(plain.run(undefined));
    expect(cause.message).toContain('context.status: a Map cannot be stored');
  });

  it('values JSON changes silently reach the successor as JSON keeps them', async () => {
    const seen: unknown[] = [];
    const make = node({
      name: 'make',
      process: () => ({ at: new Date(0), drop: undefined, list: [undefined] }),
    });
    const look = node({
      name: 'look',
      process: (v: unknown) => {
        seen.push(v);
        return v;
      },
    });
    const wf = workflow({ name: 'silent' }).start(make).edge(make, look).build();
    await expect(wf.run(undefined)).resolves.toEqual({ at: '1970-01-01T00:00:00.000Z', list: [null] });
    expect(seen[0]).not.toHaveProperty('drop');
  });

  it('refuses a run input JSON cannot carry before anything runs', async () => {
    const id = node({ name: 'id', process: (v: unknown) => v });
    const wf = workflow({ name: 'in' }).start(id).build();
    await expect(wf.run({ n: 1n })).rejects.toMatchObject({ code: 'SERIALIZATION', path: 'input.n' });
  });
});

describe('a node that throws something that is not an Error', () => {
  it.each([
    [undefined, "node 'thrower' threw undefined"],
    [null, "node 'thrower' threw null"],
    ['boom', 'node \'thrower\' threw a non-Error value: "boom"'],
    [42, "node 'thrower' threw a non-Error value: 42"],
    [{ a: 1 }, 'node \'thrower\' threw a non-Error value: {"a":1}'],
  ])('%j gives a readable message', async (value, message) => {
    const thrower = node({
      name: 'thrower',
      process: () => {
        throw value;
      },
    });
    const wf = workflow({ name: 'throws' }).start(thrower).build();
    const error = await wf.run(undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeError);
    expect((error as NodeError).message).toBe(`node 'thrower' failed on attempt 1: ${message}`);
    expect(isFloxideError((error as NodeError).cause, 'NODE_FAILED')).toBe(true);
    expect(((error as NodeError).cause as Error).message).toBe(message);
  });
});

describe('joins after a nested fan-out', () => {
  it('build() rejects a branch node whose edges both reach the join, naming join and path', () => {
    const fan = node({ name: 'fan', process: () => Transition.nextAll([1, 2]) });
    const mid = node({ name: 'mid', process: (n: number) => n });
    const a = node({ name: 'a', process: (n: number) => n });
    const b = node({ name: 'b', process: (n: number) => n });
    const collect = node({ name: 'collect', process: (xs: number[]) => xs });
    let error: unknown;
    try {
      workflow({ name: 'twice' })
        .start(fan)
        .join(collect, { from: fan })
        .edge(fan, mid)
        .edge(mid, [a, b])
        .edge(a, collect)
        .edge(b, collect)
        .build();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WorkflowDefinitionError);
    const problem = (error as WorkflowDefinitionError).problems.join('\n');
    expect(problem).toContain("join 'collect'");
    expect(problem).toContain("node 'mid'");
    expect(problem).toContain('fan → mid → a → collect');
    expect(problem).toContain('fan → mid → b → collect');
  });

  it('route arms that each lead to the join stay valid', async () => {
    const fan = node({ name: 'fan', process: () => Transition.nextAll([1, 2, 3]) });
    const mid = node({ name: 'mid', process: (n: number) => n });
    const odd = node({ name: 'odd', process: (n: number) => `odd${n}` });
    const even = node({ name: 'even', process: (n: number) => `even${n}` });
    const collect = node({ name: 'collect', process: (xs: string[]) => xs });
    const wf = workflow({ name: 'arms' })
      .start(fan)
      .join(collect, { from: fan })
      .edge(fan, mid)
      .route(mid, (n: number) => (n % 2 === 0 ? 'even' : 'odd'), { odd, even })
      .edge(odd, collect)
      .edge(even, collect)
      .build();
    await expect(wf.run(undefined)).resolves.toEqual(['odd1', 'even2', 'odd3']);
  });

  it('a nextAll inside a branch toward the join fails with JOIN_BRANCH naming join, node and branch', async () => {
    const fan = node({ name: 'fan', process: () => Transition.nextAll([1, 11]) });
    const split = node({ name: 'split', process: (x: number) => Transition.nextAll([x, x + 100]) });
    const collect = node({ name: 'collect', process: (xs: number[]) => xs });
    const wf = workflow({ name: 'nested-bad' })
      .start(fan)
      .join(collect, { from: fan })
      .edge(fan, split)
      .edge(split, collect)
      .build();
    const cause = await causeOfRun(wf.run(undefined));
    expect(cause.code).toBe('JOIN_BRANCH');
    expect(cause.message).toContain("join 'collect'");
    expect(cause.message).toContain("node 'split'");
    expect(cause.message).toContain('branch 0');
  });

  // The builder's edge types are checked elsewhere; a graph built in a loop needs a loose view of it.
  interface LooseBuilder {
    start(n: AnyNode): LooseBuilder;
    join(n: AnyNode, options: { from: AnyNode }): LooseBuilder;
    edge(from: AnyNode, to: AnyNode): LooseBuilder;
    build(): AnyWorkflow;
  }

  function nested(levels: number) {
    // Level k fans out k+1 values (branches of different lengths), each inner join returns its list.
    const builder = workflow({ name: `nested${levels}` }) as unknown as LooseBuilder;
    const fans = Array.from({ length: levels }, (_, k) =>
      node({
        name: `fan${k}`,
        process: (prefix: string) =>
          Transition.nextAll(Array.from({ length: k + 2 }, (_, i) => `${prefix}${i}`)),
      }),
    );
    const joins = Array.from({ length: levels }, (_, k) =>
      node({ name: `join${k}`, process: (xs: unknown[]) => xs }),
    );
    const leaf = node({
      name: 'leaf',
      // Uneven work: later branches finish earlier under concurrency, order must still hold.
      process: async (s: string) => {
        await new Promise((r) => setTimeout(r, 5 - (s.length % 5)));
        return s;
      },
    });
    let b = builder.start(fans[0] as AnyNode);
    for (let k = 0; k < levels; k++) {
      b = b.join(joins[k] as AnyNode, { from: fans[k] as AnyNode });
      b = b.edge(fans[k] as AnyNode, k + 1 < levels ? (fans[k + 1] as AnyNode) : leaf);
      if (k > 0) b = b.edge(joins[k] as AnyNode, joins[k - 1] as AnyNode);
    }
    b = b.edge(leaf, joins[levels - 1] as AnyNode);
    return b.build();
  }

  it('two levels: inner join then outer join, in fan-out order', async () => {
    const wf = nested(2);
    const expected = [
      ['x00', 'x01', 'x02'],
      ['x10', 'x11', 'x12'],
    ];
    await expect(wf.run('x')).resolves.toEqual(expected);
    await expect(wf.run('x', { concurrency: 8 })).resolves.toEqual(expected);
  });

  it('three levels, in fan-out order at each level', async () => {
    const wf = nested(3);
    const expected = ['0', '1'].map((a) =>
      ['0', '1', '2'].map((b) => ['0', '1', '2', '3'].map((c) => `y${a}${b}${c}`)),
    );
    await expect(wf.run('y')).resolves.toEqual(expected);
    await expect(wf.run('y', { concurrency: 8 })).resolves.toEqual(expected);
  });
});

describe('local engine signal', () => {
  it('prints no MaxListenersExceededWarning with concurrent sleeps and wide fan-outs', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w);
    };
    process.on('warning', onWarning);
    try {
      const fan = node({
        name: 'fan',
        process: () => Transition.nextAll(Array.from({ length: 30 }, (_, i) => i)),
      });
      const nap = node({
        name: 'nap',
        process: async (n: number, ctx) => {
          await ctx.sleep(5);
          return n;
        },
      });
      const collect = node({ name: 'collect', process: (xs: number[]) => xs.length });
      const wide = workflow({ name: 'wide' })
        .start(fan)
        .join(collect, { from: fan })
        .edge(fan, nap)
        .edge(nap, collect)
        .build();
      const sleeper = workflow({ name: 'sleeper' }).start(nap).build();
      const controller = new AbortController();
      const results = await Promise.all([
        wide.run(undefined, { concurrency: 30 }),
        wide.run(undefined, { concurrency: 30, signal: controller.signal }),
        ...Array.from({ length: 30 }, (_, i) => sleeper.run(i)),
        ...Array.from({ length: 30 }, (_, i) => sleeper.run(i, { signal: controller.signal })),
      ]);
      expect(results[0]).toBe(30);
      // Warnings are emitted on the next tick.
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
