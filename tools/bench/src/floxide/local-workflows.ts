import { node, split, workflow, type Workflow } from '@floxide/core';

/** A chain of `length` no-op nodes: each adds 1, so a run from 0 returns `length`. */
export function floxideChain(length: number): Workflow<number, number> {
  const nodes = Array.from({ length }, (_, i) => node({ name: `n${i}`, process: (x: number) => x + 1 }));
  const first = nodes[0];
  if (!first) throw new RangeError('a chain needs at least one node');
  let builder = workflow({ name: `bench-chain-${length}` }).start(first);
  for (let i = 1; i < nodes.length; i++) {
    builder = builder.edge(nodes[i - 1] as typeof first, nodes[i] as typeof first);
  }
  return builder.build() as Workflow<number, number>;
}

/** What the fan-out workflow returns: how many branch outputs the join saw and whether they were in order. */
export interface FanOutResult {
  readonly count: number;
  readonly inOrder: boolean;
}

/** 1 → N → join: `fan` splits N into 0…N−1, `work` doubles each, `collect` checks order and counts. */
export function floxideFanOut(): Workflow<number, FanOutResult> {
  const fan = split('fan', (n: number) => Array.from({ length: n }, (_, i) => i));
  const work = node({ name: 'work', process: (i: number) => i * 2 });
  const collect = node({
    name: 'collect',
    process: (values: readonly number[]): FanOutResult => ({
      count: values.length,
      inOrder: values.every((v, i) => v === i * 2),
    }),
  });
  return (
    workflow({ name: 'bench-fan-out' })
      .start(fan)
      // Declaring the join first lets the builder type `work → collect` as a branch arriving at it.
      .join(collect, { from: fan })
      .edge(fan, work)
      .edge(work, collect)
      .build() as Workflow<number, FanOutResult>
  );
}
