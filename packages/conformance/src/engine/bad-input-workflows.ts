import {
  context,
  counter,
  node,
  register,
  RetryPolicy,
  Transition,
  workflow,
  type AnyNode,
  type AnyWorkflow,
} from '@floxide/core';
import { z } from 'zod';

/** The values JSON cannot carry, by name, each made fresh (a circular object cannot be a constant). */
export const UNSTORABLE_VALUES: Readonly<Record<string, () => unknown>> = {
  bigint: () => ({ items: [1, 2, 3, 4n] }),
  circular: () => {
    const o: Record<string, unknown> = { n: 1 };
    o['self'] = o;
    return o;
  },
  function: () => ({ f: () => 1 }),
  nan: () => ({ n: Number.NaN }),
  map: () => new Map([['a', 1]]),
};

/** `bad` returns the unstorable value `kind` as its output (terminal). */
export function unstorableOutputWorkflow(kind: string): AnyWorkflow {
  const make = UNSTORABLE_VALUES[kind] as () => unknown;
  const bad = node({ name: 'bad', process: () => make() });
  return workflow({ name: `conformance-unstorable-${kind}`, version: 1 })
    .start(bad)
    .build();
}

/** `fan` fans out `[1, NaN, 3]` to `sink`: the second value cannot be stored. */
export function unstorableFanOutWorkflow(): AnyWorkflow {
  const fan = node({ name: 'fan', process: () => Transition.nextAll([1, Number.NaN, 3]) });
  const sink = node({ name: 'sink', process: (n: number) => n });
  return workflow({ name: 'conformance-unstorable-fan-out', version: 1 }).start(fan).edge(fan, sink).build();
}

const StatusCtx = context({ status: register(z.any()) });

/** `setter` sets a context register to a `Set`, which JSON cannot carry. */
export function unstorableContextWorkflow(): AnyWorkflow {
  const setter = node({
    name: 'setter',
    context: StatusCtx,
    process: (_: unknown, ctx) => {
      ctx.context.status.set(new Set([1]));
      return 'done';
    },
  });
  return workflow({ name: 'conformance-unstorable-context', version: 1, context: StatusCtx })
    .start(setter)
    .build();
}

/** `make` returns values JSON changes silently (a Date, an undefined property, undefined in a list). */
export function jsonLossyWorkflow(): AnyWorkflow {
  const make = node({
    name: 'make',
    process: (n: number) => ({ at: new Date(Date.UTC(2024, 0, n)), gone: undefined, list: [undefined, n] }),
  });
  const echo = node({ name: 'echo', process: (v: unknown) => ({ seen: v, keys: Object.keys(v as object) }) });
  return workflow({ name: 'conformance-json-lossy', version: 1 }).start(make).edge(make, echo).build();
}

/** The non-Error values a node may throw, by name. */
export const THROWN_VALUES: Readonly<Record<string, unknown>> = {
  string: 'boom',
  undefined: undefined,
  null: null,
  number: 42,
  object: { a: 1 },
};

/** `thrower` throws `THROWN_VALUES[kind]`. */
export function throwingWorkflow(kind: string): AnyWorkflow {
  const value = THROWN_VALUES[kind];
  const thrower = node({
    name: 'thrower',
    process: () => {
      throw value;
    },
  });
  return workflow({ name: `conformance-throws-${kind}`, version: 1 })
    .start(thrower)
    .build();
}

/**
 * `levels` nested fan-outs, each closed by its own join: level k fans out k + 2 values (so branches have
 * different lengths), the leaf echoes its path, every join returns its list. The output is a nested list
 * in fan-out order at each level.
 */
export function nestedJoinWorkflow(levels: number): AnyWorkflow {
  interface Loose {
    start(n: AnyNode): Loose;
    join(n: AnyNode, options: { from: AnyNode }): Loose;
    edge(from: AnyNode, to: AnyNode): Loose;
    build(): AnyWorkflow;
  }
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
  const leaf = node({ name: 'leaf', process: (s: string) => s.toUpperCase() });
  let b = (workflow({ name: `conformance-nested-joins-${levels}`, version: 1 }) as unknown as Loose).start(
    fans[0] as AnyNode,
  );
  for (let k = 0; k < levels; k++) {
    b = b.join(joins[k] as AnyNode, { from: fans[k] as AnyNode });
    b = b.edge(fans[k] as AnyNode, k + 1 < levels ? (fans[k + 1] as AnyNode) : leaf);
    if (k > 0) b = b.edge(joins[k] as AnyNode, joins[k - 1] as AnyNode);
  }
  return b.edge(leaf, joins[levels - 1] as AnyNode).build();
}

/** `fan → split → collect (from fan)`: `split` fans out again without an inner join (a runtime error). */
export function doubleArrivalWorkflow(): AnyWorkflow {
  const fan = node({ name: 'fan', process: () => Transition.nextAll([1, 11]) });
  const split = node({ name: 'split', process: (x: number) => Transition.nextAll([x, x + 100]) });
  const collect = node({ name: 'collect', process: (xs: number[]) => xs });
  return workflow({ name: 'conformance-double-arrival', version: 1 })
    .start(fan)
    .join(collect, { from: fan })
    .edge(fan, split)
    .edge(split, collect)
    .build();
}

/** A healthy chain run beside the bad ones: `a → b`, doubling twice. */
export function healthyWorkflow(): AnyWorkflow {
  const a = node({ name: 'a', process: (n: number) => n * 2 });
  const b = node({ name: 'b', process: (n: number) => n * 2 });
  return workflow({ name: 'conformance-healthy', version: 1 }).start(a).edge(a, b).build();
}

const HitsCtx = context({ hits: counter() });

/**
 * The corrupt-record protocol's workflow: `fan` → nextAll([0, 1]) → `work` → join `collect` (from fan).
 * `work` counts a context hit; for branch 1 its first attempt throws and a retry waits `retryDelayMs`,
 * so a durable delayed retry item exists while branch 0's arrival sits in the join.
 */
export function corruptProtocolWorkflow(retryDelayMs = 1_000): AnyWorkflow {
  const fan = node({ name: 'fan', process: () => Transition.nextAll([0, 1]) });
  const work = node({
    name: 'work',
    context: HitsCtx,
    retry: RetryPolicy.fixed({ maxAttempts: 3, initialDelayMs: retryDelayMs }),
    process: (n: number, ctx) => {
      if (n === 1 && ctx.attempt === 1) throw new Error('first attempt of branch 1 fails');
      ctx.context.hits.add(1);
      return n * 10;
    },
  });
  const collect = node({ name: 'collect', process: (xs: number[]) => xs });
  return workflow({ name: 'conformance-corrupt-protocol', version: 1, context: HitsCtx })
    .start(fan)
    .join(collect, { from: fan })
    .edge(fan, work)
    .edge(work, collect)
    .build();
}
