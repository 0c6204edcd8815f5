import { z } from 'zod';
import { context, counter, node, Transition, workflow } from '@floxide/core';

/** Context of the headline workflow: one counter incremented once per branch. */
export const HeadlineContext = context({ hits: counter() });

const split = node({
  name: 'split',
  context: HeadlineContext,
  input: z.object({ values: z.array(z.number()) }),
  process: (input: { values: number[] }) => Transition.nextAll(input.values),
});

const square = node({
  name: 'square',
  context: HeadlineContext,
  process: async (n: number, ctx) => {
    ctx.context.hits.add(1);
    return n * n;
  },
});

const sum = node({
  name: 'sum',
  context: HeadlineContext,
  process: (values: readonly number[], ctx) => ({
    total: values.reduce((a, b) => a + b, 0),
    order: values.join(','),
    hits: ctx.context.hits.value,
  }),
});

type Summary = { total: number; order: string; hits: number };
type Classified = Summary & { kind: 'big' | 'small' };

const classify = node({
  name: 'classify',
  process: (s: Summary): Classified => ({ ...s, kind: s.total > 100 ? 'big' : 'small' }),
});

const big = node({
  name: 'big',
  process: (c: Classified) => `big total=${c.total} order=${c.order} hits=${c.hits}`,
});
const small = node({
  name: 'small',
  process: (c: Classified) => `small total=${c.total} order=${c.order} hits=${c.hits}`,
});

/** Fan-out + join + route + context counter: the headline workflow compared locally and distributed. */
export const headlineWorkflow = workflow({ name: 'headline', context: HeadlineContext })
  .start(split)
  .join(sum, { from: split })
  .edge(split, square)
  .edge(square, sum)
  .edge(sum, classify)
  .route(classify, 'kind', { big, small })
  .build();

/** One node that doubles a number (input validated by schema). */
export const doubleWorkflow = workflow({ name: 'double' })
  .start(node({ name: 'double', input: z.number(), process: (n: number) => n * 2 }))
  .build();
