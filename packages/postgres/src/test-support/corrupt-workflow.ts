import { context, counter, node, RetryPolicy, Transition, workflow } from '@floxide/core';

const Tally = context({ hits: counter() });

/**
 * The corrupt-record scenario's workflow: `fan` → `nextAll([0, 1])` → `work` → join `collect` → `finish`.
 * `work` adds 1 to the `hits` counter; `work(1)` fails its first attempt and retries after `retryDelayMs`,
 * so the run has one committed branch (a join arrival) and one durable delayed retry item at once.
 */
export function corruptScenarioWorkflow(retryDelayMs = 1_000) {
  const fan = node({ name: 'fan', process: (n: number) => Transition.nextAll([n * 10, n * 10 + 1]) });
  const work = node({
    name: 'work',
    context: Tally,
    retry: RetryPolicy.fixed({ maxAttempts: 3, initialDelayMs: retryDelayMs }),
    process(x: number, ctx) {
      if (x % 10 === 1 && ctx.attempt === 1) throw new Error(`branch ${x} fails its first attempt`);
      ctx.context.hits.add(1);
      return x * 2;
    },
  });
  const collect = node({
    name: 'collect',
    context: Tally,
    process: (values: number[], ctx) => ({ hits: ctx.context.hits.value, values }),
  });
  const finish = node({ name: 'finish', process: (input: { hits: number; values: number[] }) => input });
  return workflow({ name: 'postgres-corrupt', version: 1, context: Tally })
    .start(fan)
    .join(collect, { from: fan })
    .edge(fan, work)
    .edge(work, collect)
    .edge(collect, finish)
    .build();
}
