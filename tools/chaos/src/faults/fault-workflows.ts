import { context, counter, node, RetryPolicy, Transition, workflow, type AnyWorkflow } from '@floxide/core';

/** Branches of each storm run's fan-out. */
export const STORM_BRANCHES = 4;
/** Work items of one storm run: prep, spread, the branches, gather, finish. */
export const STORM_ITEMS = 4 + STORM_BRANCHES;

const Hits = context({ hits: counter() });

/**
 * The storm workflow: `prep → spread ⇒ work ×4 → gather (join) → finish`, each branch adding 1 to the
 * `hits` counter and sleeping a little so kills often land mid-step. A counter of 4 at the join proves
 * no branch's commit was lost or doubled.
 */
export function stormWorkflow() {
  const prep = node({ name: 'prep', process: (n: number) => n * 3 + 1 });
  const spread = node({
    name: 'spread',
    process: (n: number) => Transition.nextAll(Array.from({ length: STORM_BRANCHES }, (_, i) => n + i)),
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
  return workflow({ name: 'chaos-storm', version: 1, context: Hits })
    .start(prep)
    .edge(prep, spread)
    .join(gather, { from: spread })
    .edge(spread, work)
    .edge(work, gather)
    .edge(gather, finish)
    .build();
}

/** What a slow node reports to the process it runs in (the cancel/pause case watches in-process workers). */
export interface SlowObserver {
  started(runId: string, itemId: string, attempt: number): void;
  aborted(runId: string, itemId: string): void;
}

const Steps = context({ steps: counter() });

/** Input of the slow workflow: a run number and how long each of its three nodes sleeps. */
export interface SlowInput {
  readonly n: number;
  readonly ms: number;
}

/** The parts of a node's ctx a watched sleep needs. */
interface SleepCtx {
  readonly runId: string;
  readonly itemId: string;
  readonly attempt: number;
  readonly signal: AbortSignal;
  sleep(ms: number): Promise<void>;
}

/** Sleeps `ms` (abortable), telling `observer` that the node started and whether its signal aborted. */
async function watchedSleep(ctx: SleepCtx, ms: number, observer?: SlowObserver): Promise<void> {
  observer?.started(ctx.runId, ctx.itemId, ctx.attempt);
  const onAbort = (): void => observer?.aborted(ctx.runId, ctx.itemId);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await ctx.sleep(ms);
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Three slow nodes in a chain (`one → two → three`), each adding 1 to `steps` (3 at the end); the output
 * is `{ n, steps: 3 }`. The observer hears every node start and every abort of a node's signal.
 */
export function slowWorkflow(observer?: SlowObserver) {
  const step = (name: string) =>
    node({
      name,
      context: Steps,
      async process(input: SlowInput, ctx) {
        await watchedSleep(ctx, input.ms, observer);
        ctx.context.steps.add(1);
        return input;
      },
    });
  const one = step('one');
  const two = step('two');
  const three = node({
    name: 'three',
    context: Steps,
    async process(input: SlowInput, ctx) {
      await watchedSleep(ctx, input.ms, observer);
      ctx.context.steps.add(1);
      // A node reads its own adds: 3 here.
      return { n: input.n, steps: ctx.context.steps.value };
    },
  });
  return workflow({ name: 'chaos-slow', version: 1, context: Steps })
    .start(one)
    .edge(one, two)
    .edge(two, three)
    .build();
}

/** Retry delay of the skew case's flaky node (ms): two retries, so about 1 s of due times per run. */
export const SKEW_RETRY_DELAY_MS = 500;

/** `flaky` fails its first two attempts (durable retries 500 ms apart), then `after` ends the run. */
export function skewRetryWorkflow() {
  const flaky = node({
    name: 'flaky',
    retry: RetryPolicy.fixed({ maxAttempts: 3, initialDelayMs: SKEW_RETRY_DELAY_MS, jitter: 'none' }),
    process: (n: number, ctx) => {
      if (ctx.attempt < 3) throw new Error(`attempt ${ctx.attempt} fails on purpose`);
      return { n, attempt: ctx.attempt };
    },
  });
  const after = node({ name: 'after', process: (x: { n: number; attempt: number }) => x });
  return workflow({ name: 'chaos-skew-retry', version: 1 }).start(flaky).edge(flaky, after).build();
}

/** `slow` sleeps its input (ms), then `after` returns `{ slept }`: for deadlines and pause/resume. */
export function skewSlowWorkflow() {
  const slow = node({
    name: 'slow',
    async process(ms: number, ctx) {
      await ctx.sleep(ms);
      return ms;
    },
  });
  const after = node({ name: 'after', process: (ms: number) => ({ slept: ms }) });
  return workflow({ name: 'chaos-skew-slow', version: 1 }).start(slow).edge(slow, after).build();
}

const Leaves = context({ leaves: counter() });

/**
 * The wide fan-out: `spread` sends `n` branches to `leaf` (each adds 1 to `leaves`), `total` joins them.
 * Output `{ count, sum, leaves }` with `count = leaves = n` and `sum = n(n-1)/2`.
 */
export function wideWorkflow() {
  const spread = node({
    name: 'spread',
    process: (n: number) => Transition.nextAll(Array.from({ length: n }, (_, i) => i)),
  });
  const leaf = node({
    name: 'leaf',
    context: Leaves,
    process: (i: number, ctx) => {
      ctx.context.leaves.add(1);
      return i;
    },
  });
  const total = node({
    name: 'total',
    context: Leaves,
    process: (values: number[], ctx) => ({
      count: values.length,
      sum: values.reduce((a, b) => a + b, 0),
      leaves: ctx.context.leaves.value,
    }),
  });
  return workflow({ name: 'chaos-wide', version: 1, context: Leaves })
    .start(spread)
    .join(total, { from: spread })
    .edge(spread, leaf)
    .edge(leaf, total)
    .build();
}

/** `big` returns a string of its input's length: the big output run before the wide fan-out. */
export function bigOutputWorkflow() {
  const big = node({ name: 'big', process: (chars: number) => 'x'.repeat(chars) });
  return workflow({ name: 'chaos-big-output', version: 1 }).start(big).build();
}

/** Every workflow of the fault cases: what every worker process knows. */
export function faultWorkflows(observer?: SlowObserver): AnyWorkflow[] {
  return [
    stormWorkflow(),
    slowWorkflow(observer),
    skewRetryWorkflow(),
    skewSlowWorkflow(),
    wideWorkflow(),
    bigOutputWorkflow(),
  ];
}
