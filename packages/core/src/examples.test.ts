// The local examples of the Rust crate (FLOXIDE.md §11), written with this API. Apps turn them into programs.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { MemoryCheckpointStore } from './checkpoint/memory-checkpoint-store.js';
import { context } from './context/context-definition.js';
import { eventLog, register } from './context/context-fields.js';
import { CancelledError, NodeError, RunStateError, TimeoutError } from './errors/errors.js';
import { toDot } from './graph/to-dot.js';
import { toMermaid } from './graph/to-mermaid.js';
import { batch } from './helpers/batch.js';
import { source } from './helpers/source.js';
import { split } from './helpers/split.js';
import { subflow } from './helpers/subflow.js';
import { node, type Node } from './node/node.js';
import { RetryPolicy } from './retry/retry-policy.js';
import { withRetry } from './retry/with-retry.js';
import { Transition } from './transition/transition.js';
import { workflow } from './workflow/workflow-builder.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('examples', () => {
  it('terminal node: a single node is start and terminal (7 → 21)', async () => {
    const triple = node({ name: 'triple', process: (n: number) => n * 3 });
    await expect(workflow({ name: 'terminal' }).start(triple).build().run(7)).resolves.toBe(21);
  });

  it('node with config: a factory closes over its configuration', async () => {
    const multiply = (factor: number) => node({ name: 'multiply', process: (n: number) => n * factor });
    const describeIt = node({ name: 'describe', process: (n: number) => `result ${n}` });
    const times = multiply(4);
    const wf = workflow({ name: 'config' }).start(times).edge(times, describeIt).build();
    await expect(wf.run(5)).resolves.toBe('result 20');
  });

  it('branching: routes on a discriminant to terminal branches', async () => {
    type Foo = { kind: 'above'; value: number } | { kind: 'below'; text: string };
    const foo = node({
      name: 'foo',
      process: (n: number): Foo =>
        n > 10 ? { kind: 'above', value: n } : { kind: 'below', text: `${n} is small` },
    });
    const big = node({ name: 'big', process: (f: { value: number }) => `big ${f.value}` });
    const small = node({ name: 'small', process: (f: { text: string }) => f.text });
    const wf = workflow({ name: 'branching' })
      .start(foo)
      .route(foo, 'kind', { above: big, below: small })
      .build();
    await expect(wf.run(42)).resolves.toBe('big 42');
    await expect(wf.run(3)).resolves.toBe('3 is small');
  });

  it('generics: a generic node factory', async () => {
    const identity = <T>(name: string): Node<T, T> => node({ name, process: (x: T) => x });
    const wrap = node({ name: 'wrap', process: (s: string) => [s] });
    const first = identity<string>('first');
    const wf = workflow({ name: 'generics' }).start(first).edge(first, wrap).build();
    await expect(wf.run('hi')).resolves.toEqual(['hi']);
  });

  it('split: n → [n−1, n, n+1], the first terminal output wins', async () => {
    const around = split('around', (n: number) => [n - 1, n, n + 1]);
    const print = node({ name: 'print', process: (n: number) => n });
    const terminal = node({ name: 'terminal', process: (n: number) => n });
    const wf = workflow({ name: 'split' }).start(around).edge(around, print).edge(print, terminal).build();
    await expect(wf.run(10)).resolves.toBe(9);
  });

  it('merge: a join collects the split values in order ([9, 10, 11])', async () => {
    const around = split('around', (n: number) => [n - 1, n, n + 1]);
    const merge = node({ name: 'merge', process: (xs: number[]) => xs });
    const wf = workflow({ name: 'merge' })
      .start(around)
      .join(merge, { from: around })
      .edge(around, merge)
      .build();
    await expect(wf.run(10)).resolves.toEqual([9, 10, 11]);
  });

  it('batch: multiply in batches of 2, then branch on the sum', async () => {
    const multiply2 = node({ name: 'multiply2', process: (n: number) => n * 2 });
    const all = batch('batch', multiply2, 2);
    const sum = node({ name: 'sum', process: (xs: number[]) => xs.reduce((a, b) => a + b, 0) });
    const classify = node({
      name: 'classify',
      process: (total: number) => ({ size: total > 20 ? 'large' : 'small', total }) as const,
    });
    const large = node({ name: 'large', process: (r: { total: number }) => `large ${r.total}` });
    const small = node({ name: 'small', process: (r: { total: number }) => `small ${r.total}` });
    const wf = workflow({ name: 'batch' })
      .start(all)
      .edge(all, sum)
      .edge(sum, classify)
      .route(classify, 'size', { large, small })
      .build();
    await expect(wf.run([1, 2, 3, 4, 5])).resolves.toBe('large 30');
    await expect(wf.run([1, 2])).resolves.toBe('small 6');
  });

  it('retry: withRetry makes a flaky node succeed (exponential backoff)', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const flaky = node({
      name: 'flaky',
      process: (n: number) => {
        calls++;
        if (calls < 3) throw new Error('transient');
        return n + 1;
      },
    });
    const wf = workflow({ name: 'retry' })
      .start(
        withRetry(flaky, RetryPolicy.exponential({ maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 2_000 })),
      )
      .build();
    const run = wf.run(1);
    await vi.advanceTimersByTimeAsync(300);
    await expect(run).resolves.toBe(2);
    expect(calls).toBe(3);
  });

  it('retry in the definition: a node declares its policy (3 attempts, linear 50 ms)', async () => {
    vi.useFakeTimers();
    const flaky = node({
      name: 'flaky',
      retry: RetryPolicy.linear({ maxAttempts: 3, initialDelayMs: 50 }),
      process: (n: number, ctx) => {
        if (ctx.attempt === 1) throw new Error('first try fails');
        return `ok after ${ctx.attempt} attempts: ${n}`;
      },
    });
    const run = workflow({ name: 'retry-def' }).start(flaky).build().run(9);
    await vi.advanceTimersByTimeAsync(50);
    await expect(run).resolves.toBe('ok after 2 attempts: 9');
  });

  it('fallback: a failing node goes to its on-failure successor ("recovered")', async () => {
    const fail = node({
      name: 'fail',
      process: (_: string): string => {
        throw new Error('always');
      },
    });
    const recovery = node({ name: 'recovery', process: () => 'recovered' });
    await expect(
      workflow({ name: 'fallback' }).start(fail).onFailure(fail, recovery).build().run('x'),
    ).resolves.toBe('recovered');
  });

  it('order pipeline: validate, pay, allocate stock (retried), notify, with compensation', async () => {
    vi.useFakeTimers();
    const Order = z.object({ id: z.string(), amount: z.number().positive(), items: z.number().int() });
    type Order = z.infer<typeof Order>;
    const OrderCtx = context({
      status: register(z.enum(['validated', 'paid', 'allocated', 'refunded'])),
      log: eventLog(z.string()),
    });
    let stockCalls = 0;
    const validate = node({
      name: 'validate',
      input: Order,
      context: OrderCtx,
      process: (o, ctx) => (ctx.context.status.set('validated'), o),
    });
    const payment = node({
      name: 'payment',
      context: OrderCtx,
      process(o: Order, ctx) {
        if (o.amount > 1_000) throw new Error('payment declined');
        ctx.context.status.set('paid');
        return o;
      },
    });
    const stock = node({
      name: 'stock',
      context: OrderCtx,
      retry: RetryPolicy.fixed({ maxAttempts: 3, initialDelayMs: 10 }),
      process(o: Order, ctx) {
        stockCalls++;
        if (ctx.attempt < 2) throw new Error('warehouse busy');
        ctx.context.status.set('allocated');
        return o;
      },
    });
    const notify = node({
      name: 'notify',
      context: OrderCtx,
      process: (o: Order, ctx) => `order ${o.id}: ${ctx.context.status.value}`,
    });
    const refund = node({
      name: 'refund',
      context: OrderCtx,
      process: (o: Order, ctx) => (ctx.context.status.set('refunded'), `order ${o.id}: refunded`),
    });
    const wf = workflow({ name: 'order', context: OrderCtx })
      .start(validate)
      .edge(validate, payment)
      .edge(payment, stock)
      .edge(stock, notify)
      .onFailure(payment, refund)
      .onFailure(stock, refund)
      .build();
    const ok = wf.run({ id: 'o1', amount: 10, items: 2 });
    await vi.advanceTimersByTimeAsync(10);
    await expect(ok).resolves.toBe('order o1: allocated');
    expect(stockCalls).toBe(2);
    await expect(wf.run({ id: 'o2', amount: 5_000, items: 1 })).resolves.toBe('order o2: refunded');
    expect(toDot(wf)).toContain('"stock" -> "refund" [style="dashed" color="red" label="fallback"];');
  });

  it('checkpoint: fail, resume, looping arm, resume after completion is refused', async () => {
    let armed = true;
    const counterNode = node({
      name: 'counter',
      process: (n: number) => {
        if (n === 3 && armed) {
          armed = false;
          throw new Error('crash at 3');
        }
        return n + 1;
      },
    });
    const check = node({
      name: 'check',
      process: (n: number) => ({ next: n < 5 ? 'continue' : 'done', n }) as const,
    });
    const again = node({ name: 'again', process: (r: { n: number }) => r.n });
    const wf = workflow({ name: 'checkpoint' })
      .start(counterNode)
      .edge(counterNode, check)
      .route(check, 'next', { continue: again, done: [] })
      .edge(again, counterNode)
      .build();
    const store = new MemoryCheckpointStore();
    await expect(wf.run(0, { checkpoint: store, runId: 'cp' })).rejects.toBeInstanceOf(NodeError);
    await expect(wf.resume('cp', { checkpoint: store })).resolves.toEqual({ next: 'done', n: 5 });
    await expect(wf.resume('cp', { checkpoint: store })).rejects.toBeInstanceOf(RunStateError);
    await expect(wf.run(0, { checkpoint: new MemoryCheckpointStore(), runId: 'fresh' })).resolves.toEqual({
      next: 'done',
      n: 5,
    });
  });

  it('cancellation: cancelling after 500 ms aborts a 2 s node', async () => {
    vi.useFakeTimers();
    const slow = node({ name: 'slow', process: async (n: number, ctx) => (await ctx.sleep(2_000), n) });
    const controller = new AbortController();
    const run = workflow({ name: 'cancel' })
      .start(slow)
      .build()
      .run(1, { signal: controller.signal })
      .catch((e: unknown) => e);
    setTimeout(() => controller.abort(), 500);
    await vi.advanceTimersByTimeAsync(500);
    expect(await run).toBeInstanceOf(CancelledError);
  });

  it('timeout: a 500 ms timeout aborts a 2 s node', async () => {
    vi.useFakeTimers();
    const slow = node({
      name: 'slow',
      timeoutMs: 500,
      process: async (n: number, ctx) => (await ctx.sleep(2_000), n),
    });
    const run = workflow({ name: 'timeout' })
      .start(slow)
      .build()
      .run(1)
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(500);
    expect(((await run) as NodeError).cause).toBeInstanceOf(TimeoutError);
  });

  it('nested workflow: double then add ten, used as a node', async () => {
    const double = node({ name: 'double', process: (n: number) => n * 2 });
    const addTen = node({ name: 'addTen', process: (n: number) => n + 10 });
    const inner = workflow({ name: 'inner' }).start(double).edge(double, addTen).build();
    const nested = subflow('inner', inner);
    const show = node({ name: 'show', process: (n: number) => `outer got ${n}` });
    const outer = workflow({ name: 'outer' }).start(nested).edge(nested, show).build();
    await expect(outer.run(5)).resolves.toBe('outer got 20');
  });

  it('timer source: ten ticks every 200 ms each drive a run', async () => {
    vi.useFakeTimers();
    async function* ticks(signal: AbortSignal) {
      for (let i = 0; i < 10; i++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        if (signal.aborted) return;
        yield i;
      }
    }
    const tick = node({ name: 'tick', process: (i: number) => `tick ${i}` });
    const wf = workflow({ name: 'timer' }).start(tick).build();
    const outputs: string[] = [];
    const done = (async () => {
      for await (const out of source(wf).run(ticks(new AbortController().signal))) outputs.push(out);
    })();
    await vi.advanceTimersByTimeAsync(2_000);
    await done;
    expect(outputs).toEqual(Array.from({ length: 10 }, (_, i) => `tick ${i}`));
  });

  it('graph export: fallbacks, a composite branch and a join point', () => {
    const start = node({ name: 'start', process: (n: number) => Transition.nextAll([n, n]) });
    const taskB = node({
      name: 'task_b',
      process: (n: number) => ({ kind: n > 0 ? 'yes' : 'no', n }) as const,
    });
    const yes = node({ name: 'yes', process: (r: { n: number }) => r.n });
    const no = node({ name: 'no', process: (r: { n: number }) => r.n });
    const joinPoint = node({ name: 'join_point', process: (xs: number[]) => xs });
    const recover = node({ name: 'recover', process: (n: number) => n });
    const wf = workflow({ name: 'dot' })
      .start(start)
      .join(joinPoint, { from: start })
      .edge(start, taskB)
      .route(taskB, 'kind', { yes, no })
      .edge(yes, joinPoint)
      .edge(no, joinPoint)
      .onFailure(start, recover)
      .build();
    expect(toDot(wf)).toContain('"task_b" -> "yes" [label="yes"];');
    expect(toDot(wf)).toContain('"join_point" [shape=doubleoctagon];');
    expect(toMermaid(wf)).toContain('fallback');
  });
});
