import { context, counter, node, Transition, workflow } from '@floxide/core';

/** Branches of each run's fan-out. */
export const CRASH_BRANCHES = 4;

const Hits = context({ hits: counter() });

/**
 * The crash test's workflow, five nodes: `prep → spread ⇒ work ×4 → gather (join) → finish`. `work` adds 1
 * to the `hits` counter per branch and sleeps a little so workers are often killed mid-step.
 */
export function crashWorkflow() {
  const prep = node({ name: 'prep', process: (n: number) => n * 3 + 1 });
  const spread = node({
    name: 'spread',
    process: (n: number) => Transition.nextAll(Array.from({ length: CRASH_BRANCHES }, (_, i) => n + i)),
  });
  const work = node({
    name: 'work',
    context: Hits,
    async process(x: number, ctx) {
      ctx.context.hits.add(1);
      await ctx.sleep(40 + (x % 5) * 20);
      return x * x;
    },
  });
  const gather = node({
    name: 'gather',
    context: Hits,
    process: (values: number[], ctx) => ({ values, hits: ctx.context.hits.value }),
  });
  const finish = node({
    name: 'finish',
    process: (input: { values: number[]; hits: number }) => ({
      sum: input.values.reduce((a, b) => a + b, 0),
      values: input.values,
      hits: input.hits,
    }),
  });
  return workflow({ name: 'crash-test', version: 1, context: Hits })
    .start(prep)
    .edge(prep, spread)
    .join(gather, { from: spread })
    .edge(spread, work)
    .edge(work, gather)
    .edge(gather, finish)
    .build();
}
