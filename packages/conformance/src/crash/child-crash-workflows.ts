import { context, counter, node, subflow, workflow } from '@floxide/core';

const Hits = context({ hits: counter() });

/**
 * The child-run crash test's workflows: the parent `prepare → call → finish`, whose `call` is
 * `subflow('call', child)`; the child's single node `work` adds 1 to its own `hits` counter, sleeps
 * 50–210 ms (so kills land mid-step) and returns `n * 2`. The parent outputs `{ doubled }`. A child whose
 * `hits` is not 1 was committed twice; a parent with two child runs started a second child for one attempt.
 */
export function childCrashWorkflows() {
  const work = node({
    name: 'work',
    context: Hits,
    async process(n: number, ctx) {
      ctx.context.hits.add(1);
      await ctx.sleep(50 + (n % 5) * 40);
      return n * 2;
    },
  });
  const child = workflow({ name: 'child-crash-child', version: 1, context: Hits }).start(work).build();
  const prepare = node({ name: 'prepare', process: (n: number) => n });
  const call = subflow('call', child);
  const finish = node({ name: 'finish', process: (doubled: number) => ({ doubled }) });
  const parent = workflow({ name: 'child-crash-parent', version: 1 })
    .start(prepare)
    .edge(prepare, call)
    .edge(call, finish)
    .build();
  return { parent, child };
}

/** How often the crash test's workers look at a waiting parent's child (short: deliveries get lost). */
export const CHILD_CRASH_CHECK_MS = 1_000;
