import { context, counter, node, Transition, workflow } from '@floxide/core';

const Tally = context({ hits: counter() });

/**
 * The crash test's workflow, five nodes: `prepare` → `spread` (fan-out of 3–6 branches) → `work` (adds 1
 * to the `hits` counter, sleeps a little so kills land mid-step) → `collect` (join) → `finish`.
 */
export function crashWorkflow() {
  const prepare = node({ name: 'prepare', process: (n: number) => ({ n, width: 3 + (n % 4) }) });
  const spread = node({
    name: 'spread',
    process: (input: { n: number; width: number }) =>
      Transition.nextAll(Array.from({ length: input.width }, (_, i) => input.n * 10 + i)),
  });
  const work = node({
    name: 'work',
    context: Tally,
    async process(x: number, ctx) {
      ctx.context.hits.add(1);
      await ctx.sleep(5 + (x % 3) * 5);
      return x * 2;
    },
  });
  const collect = node({
    name: 'collect',
    context: Tally,
    process: (values: number[], ctx) => ({ hits: ctx.context.hits.value, values }),
  });
  const finish = node({
    name: 'finish',
    process: (input: { hits: number; values: number[] }) => ({
      ...input,
      sum: input.values.reduce((a, b) => a + b, 0),
    }),
  });
  return workflow({ name: 'postgres-crash', version: 1, context: Tally })
    .start(prepare)
    .edge(prepare, spread)
    .join(collect, { from: spread })
    .edge(spread, work)
    .edge(work, collect)
    .edge(collect, finish)
    .build();
}

/** How long each run of {@link timerCrashWorkflow} sleeps on its durable timer: 1 000 ms + (n mod 10) × 100. */
export function timerCrashDelayMs(n: number): number {
  return 1_000 + (n % 10) * 100;
}

/**
 * The timer crash test's workflow: `arm` adds 1 to `hits` and sleeps on a durable timer
 * ({@link timerCrashDelayMs}); `wake` adds 1 again, sleeps a little (so kills hit it mid-step) and reports
 * the counter. A run that woke twice, or whose arm committed twice, would report more than 2.
 */
export function timerCrashWorkflow() {
  const arm = node({
    name: 'arm',
    context: Tally,
    process(n: number, ctx) {
      ctx.context.hits.add(1);
      return Transition.next(n, { delayMs: timerCrashDelayMs(n) });
    },
  });
  const wake = node({
    name: 'wake',
    context: Tally,
    async process(n: number, ctx) {
      ctx.context.hits.add(1);
      await ctx.sleep(30 + (n % 3) * 20);
      return { n, hits: ctx.context.hits.value };
    },
  });
  return workflow({ name: 'timer-crash-test', version: 1, context: Tally })
    .start(arm)
    .edge(arm, wake)
    .build();
}

/** The fleet-wide limit of {@link limitedWorkflow}. */
export const LIMITED_MAX_CONCURRENCY = 2;

/**
 * The limit test's workflow (`maxConcurrency` 2): one step that sleeps 50 ms and reports when it started
 * and ended on its process's clock, so the test can count how many steps of it overlapped across processes.
 */
export function limitedWorkflow() {
  const work = node({
    name: 'work',
    async process(_: number, ctx) {
      const start = Date.now();
      await ctx.sleep(50);
      return { start, end: Date.now() };
    },
  });
  return workflow({ name: 'limited', version: 1, maxConcurrency: LIMITED_MAX_CONCURRENCY })
    .start(work)
    .build();
}

/** The most intervals of `spans` open at one time (an end and a start at the same instant do not overlap). */
export function maxOverlap(spans: readonly { start: number; end: number }[]): number {
  const events = spans.flatMap((s) => [
    { at: s.start, delta: 1 },
    { at: s.end, delta: -1 },
  ]);
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let open = 0;
  let max = 0;
  for (const e of events) {
    open += e.delta;
    max = Math.max(max, open);
  }
  return max;
}

/** The wait timeout of run `n` of {@link signalCrashWorkflow}: 1 500 ms + (n mod 10) × 100 for every fourth run, else none. */
export function signalCrashTimeoutMs(n: number): number | undefined {
  return n % 4 === 0 ? 1_500 + (n % 10) * 100 : undefined;
}

/**
 * The signal crash test's workflow: `ask` adds 1 to `hits` and waits for signal `go` (with
 * {@link signalCrashTimeoutMs}); `done` adds 1 and reports the payload; a timed-out wait goes to `late`,
 * which adds 1. A park's context changes are dropped, so a signalled run reports 2 and a timed-out one 1:
 * anything more means a step was committed twice.
 */
export function signalCrashWorkflow() {
  const ask = node({
    name: 'ask',
    context: Tally,
    process(n: number, ctx) {
      ctx.context.hits.add(1);
      const timeoutMs = signalCrashTimeoutMs(n);
      return Transition.waitFor<{ n: number }>('go', timeoutMs === undefined ? {} : { timeoutMs });
    },
  });
  const done = node({
    name: 'done',
    context: Tally,
    async process(payload: { n: number }, ctx) {
      ctx.context.hits.add(1);
      await ctx.sleep(20 + (payload.n % 3) * 20);
      return { n: payload.n, via: 'signal', hits: ctx.context.hits.value };
    },
  });
  const late = node({
    name: 'late',
    context: Tally,
    process(n: number, ctx) {
      ctx.context.hits.add(1);
      return { n, via: 'timeout', hits: ctx.context.hits.value };
    },
  });
  return workflow({ name: 'signal-crash-test', version: 1, context: Tally })
    .start(ask)
    .edge(ask, done)
    .onFailure(ask, late)
    .build();
}
