import { context, counter, node, RetryPolicy, Transition, workflow } from '@floxide/core';

/** Range `0..n-1`. */
function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** `inc → double → label`: the simplest chain. */
export function linearWorkflow() {
  const inc = node({ name: 'inc', process: (n: number) => n + 1 });
  const double = node({ name: 'double', process: (n: number) => n * 2 });
  const label = node({ name: 'label', process: (n: number) => `result:${n}` });
  return workflow({ name: 'conformance-linear', version: 1 })
    .start(inc)
    .edge(inc, double)
    .edge(double, label)
    .build();
}

/** `classify` routes even numbers to `halve`, odd ones to `triple` (both terminal). */
export function routeWorkflow() {
  const classify = node({
    name: 'classify',
    process: (n: number) => ({ kind: n % 2 === 0 ? ('even' as const) : ('odd' as const), n }),
  });
  const halve = node({
    name: 'halve',
    process: (input: { n: number }) => ({ arm: 'even', value: input.n / 2 }),
  });
  const triple = node({
    name: 'triple',
    process: (input: { n: number }) => ({ arm: 'odd', value: input.n * 3 }),
  });
  return workflow({ name: 'conformance-route', version: 1 })
    .start(classify)
    .route(classify, (out) => out.kind, { even: halve, odd: triple })
    .build();
}

/** `spread` fans out `0..n-1`, `square` squares each, `collect` joins them in fan-out order. */
export function fanOutJoinWorkflow() {
  const spread = node({ name: 'spread', process: (n: number) => Transition.nextAll(range(n)) });
  const square = node({ name: 'square', process: (x: number) => x * x });
  const collect = node({
    name: 'collect',
    process: (values: number[]) => ({ count: values.length, sum: values.reduce((a, b) => a + b, 0), values }),
  });
  return workflow({ name: 'conformance-fan-out', version: 1 })
    .start(spread)
    .join(collect, { from: spread })
    .edge(spread, square)
    .edge(square, collect)
    .build();
}

const Hits = context({ hits: counter() });

/**
 * Fan-out of `n` branches, each adding 1 to the `hits` counter; the join reports the counter, the branch
 * count and, routed on the parity of the sum, a label. Exercises fan-out, context merge, join and route.
 */
export function counterWorkflow() {
  const spread = node({ name: 'spread', process: (n: number) => Transition.nextAll(range(n)) });
  const tick = node({
    name: 'tick',
    context: Hits,
    async process(x: number, ctx) {
      ctx.context.hits.add(1);
      // Uneven step lengths so concurrent workers interleave differently from the local engine.
      if (x % 7 === 0) await ctx.sleep(2);
      return x + 1;
    },
  });
  const total = node({
    name: 'total',
    context: Hits,
    process: (values: number[], ctx) => ({
      hits: ctx.context.hits.value,
      branches: values.length,
      sum: values.reduce((a, b) => a + b, 0),
      first: values.slice(0, 3),
    }),
  });
  const even = node({
    name: 'even',
    process: (input: { hits: number; sum: number }) => ({ parity: 'even', ...input }),
  });
  const odd = node({
    name: 'odd',
    process: (input: { hits: number; sum: number }) => ({ parity: 'odd', ...input }),
  });
  return workflow({ name: 'conformance-counter', version: 1, context: Hits })
    .start(spread)
    .join(total, { from: spread })
    .edge(spread, tick)
    .edge(tick, total)
    .route(total, (out) => (out.sum % 2 === 0 ? 'even' : 'odd'), { even, odd })
    .build();
}

/** Counts node executions of one test, so scenarios can observe what ran where. */
export class Probe {
  readonly #counts = new Map<string, number>();
  readonly #events: string[] = [];

  /** Records one occurrence of `event` and returns how often it happened so far. */
  hit(event: string): number {
    const count = (this.#counts.get(event) ?? 0) + 1;
    this.#counts.set(event, count);
    this.#events.push(event);
    return count;
  }

  /** How often `event` happened. */
  count(event: string): number {
    return this.#counts.get(event) ?? 0;
  }

  /** Every event in order. */
  get events(): readonly string[] {
    return this.#events;
  }
}

/** `flaky` fails its first `failures` attempts, then returns `{ value, attempt }`; retries after 50 ms. */
export function retryWorkflow(failures: number) {
  const flaky = node({
    name: 'flaky',
    retry: RetryPolicy.fixed({ maxAttempts: failures + 1, initialDelayMs: 50 }),
    process(value: number, ctx) {
      if (ctx.attempt <= failures) throw new Error(`attempt ${ctx.attempt} failed`);
      return { value, attempt: ctx.attempt };
    },
  });
  return workflow({ name: 'conformance-retry', version: 1 }).start(flaky).build();
}

/** `charge` always fails (2 attempts); with `fallback` its input goes to `refund`, else the run fails. */
export function failingWorkflow(options: { readonly fallback: boolean }) {
  const charge = node({
    name: 'charge',
    retry: RetryPolicy.fixed({ maxAttempts: 2, initialDelayMs: 20 }),
    process(amount: number): number {
      throw new Error(`card declined for ${amount}`);
    },
  });
  const refund = node({ name: 'refund', process: (amount: number) => `refunded:${amount}` });
  const base = workflow({ name: 'conformance-failing', version: 1 }).start(charge);
  return options.fallback ? base.onFailure(charge, refund).build() : base.build();
}

/** `first → second → third`; `first` waits for `gate` and `second` records its runs in `probe`. */
export function gatedWorkflow(probe: Probe, gate: Promise<void>) {
  const first = node({
    name: 'first',
    async process(n: number) {
      probe.hit('first:start');
      await gate;
      return n + 1;
    },
  });
  const second = node({
    name: 'second',
    process(n: number) {
      probe.hit('second');
      return n * 10;
    },
  });
  const third = node({ name: 'third', process: (n: number) => ({ done: n }) });
  return workflow({ name: 'conformance-gated', version: 1 })
    .start(first)
    .edge(first, second)
    .edge(second, third)
    .build();
}

/**
 * `prepare → slow → finish`. `slow` waits on `ctx.sleep` (abortable) for `stallMs` while `probe` says the
 * next execution should stall, recording its start and abort; otherwise it returns `n * 10` at once.
 */
export function slowWorkflow(probe: Probe, stall: { stallNext: boolean; stallMs: number }) {
  const prepare = node({ name: 'prepare', process: (n: number) => n + 1 });
  const slow = node({
    name: 'slow',
    async process(n: number, ctx) {
      probe.hit('slow:start');
      if (stall.stallNext) {
        stall.stallNext = false;
        ctx.signal.addEventListener('abort', () => probe.hit('slow:aborted'), { once: true });
        await ctx.sleep(stall.stallMs);
        probe.hit('slow:stall-ended');
      }
      return n * 10;
    },
  });
  const finish = node({
    name: 'finish',
    process(n: number) {
      probe.hit('finish');
      return { finished: n };
    },
  });
  return workflow({ name: 'conformance-slow', version: 1 })
    .start(prepare)
    .edge(prepare, slow)
    .edge(slow, finish)
    .build();
}

/** `fragile` (no retry policy) fails while `outage.down` is true, else returns `ok:<n>`. */
export function outageWorkflow(outage: { down: boolean }) {
  const fragile = node({
    name: 'fragile',
    process(n: number) {
      if (outage.down) throw new Error('service unavailable');
      return `ok:${n}`;
    },
  });
  return workflow({ name: 'conformance-outage', version: 1 }).start(fragile).build();
}
