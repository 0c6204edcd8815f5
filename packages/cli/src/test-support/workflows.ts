/**
 * Workflows the CLI tests load through `module#export`, as users load their own. Kept small and
 * deterministic; `steps` controls how long `slowCount` runs, so a test can watch or cancel it mid-way.
 */
import { node, RetryPolicy, split, Transition, workflow } from '@floxide/core';
import { z } from 'zod';

const double = node({ name: 'double', input: z.number(), output: z.number(), process: (n) => n * 2 });

/** One node: n → 2n. */
export const doubler = workflow({ name: 'doubler' }).start(double).build();

const fan = split('fan', (count: number) => Array.from({ length: count }, (_, i) => i));
const tick = node({
  name: 'tick',
  async process(i: number, ctx) {
    await ctx.sleep(150);
    return i;
  },
});
const total = node({ name: 'total', process: (values: number[]) => values.reduce((a, b) => a + b, 0) });

/** Fans out into `count` steps of 150 ms each and sums their indexes. */
export const slowCount = workflow({ name: 'slow-count' })
  .start(fan)
  .edge(fan, tick)
  .join(total, { from: fan })
  .edge(tick, total)
  .build();

const broken = node({
  name: 'broken',
  retry: RetryPolicy.fixed({ maxAttempts: 2, initialDelayMs: 10 }),
  process(input: string): string {
    throw new Error(`cannot handle ${input}`);
  },
});

/** Always fails (two attempts), so the run fails with error records. */
export const alwaysFails = workflow({ name: 'always-fails' }).start(broken).build();

const crawlStart = node({
  name: 'crawl-start',
  input: z.object({ urls: z.array(z.string()), depth: z.number().optional() }),
  process: (input) => input.urls.length,
});

/** A workflow with an object input schema (for readable schema errors). */
export const crawl = workflow({ name: 'crawl' }).start(crawlStart).build();

const ask = node({
  name: 'ask',
  process: () => Transition.waitFor('approval', { schema: z.object({ approved: z.boolean() }) }),
});
const decide = node({
  name: 'decide',
  process: (answer: { approved: boolean }) => (answer.approved ? 'approved' : 'rejected'),
});

/** Waits for signal `approval` (`{ approved: boolean }`) and reports the decision. */
export const approval = workflow({ name: 'approval' }).start(ask).edge(ask, decide).build();

/** Not a workflow: `graph` and `start` must refuse it. */
export const notAWorkflow = { name: 'nope' };
