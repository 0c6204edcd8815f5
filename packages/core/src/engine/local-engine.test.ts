import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CancelledError,
  DeadlineExceededError,
  NodeError,
  NoTerminalOutputError,
  TimeoutError,
} from '../errors/errors.js';
import { node } from '../node/node.js';
import { RetryPolicy } from '../retry/retry-policy.js';
import { Transition } from '../transition/transition.js';
import { workflow } from '../workflow/workflow-builder.js';

afterEach(() => {
  vi.useRealTimers();
});

function fanTo(count: number) {
  return node({
    name: 'fan',
    process: (n: number) => Transition.nextAll(Array.from({ length: count }, (_, i) => n + i)),
  });
}

describe('local engine', () => {
  it('first terminal output wins and later items are dropped', async () => {
    const seen: string[] = [];
    const start = node({ name: 'start', process: (n: number) => n });
    const quick = node({
      name: 'quick',
      process: (n: number) => {
        seen.push('quick');
        return `quick:${n}`;
      },
    });
    const slow = node({ name: 'slow', process: (n: number) => n });
    const slower = node({
      name: 'slower',
      process: (n: number) => {
        seen.push('slower');
        return `slower:${n}`;
      },
    });
    const wf = workflow({ name: 'ftw' }).start(start).edge(start, [slow, quick]).edge(slow, slower).build();
    await expect(wf.run(1)).resolves.toBe('quick:1');
    expect(seen).toEqual(['quick']);
  });

  it('fans out M×N: every output reaches every successor', async () => {
    const inputs: string[] = [];
    const fan = fanTo(3);
    const mk = (name: string) =>
      node({
        name,
        process: (n: number) => {
          inputs.push(`${name}${n}`);
          return Transition.hold();
        },
      });
    const a = mk('a');
    const b = mk('b');
    const wf = workflow({ name: 'mxn' }).start(fan).edge(fan, [a, b]).build();
    await expect(wf.run(0)).rejects.toBeInstanceOf(NoTerminalOutputError);
    expect(inputs).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2']);
  });

  it.each([1, 3, 1_000])('joins %i branches in fan-out order', async (count) => {
    const fan = fanTo(count);
    const square = node({ name: 'square', process: (n: number) => n * n });
    const collect = node({ name: 'collect', process: (xs: number[]) => xs });
    const wf = workflow({ name: 'join' })
      .start(fan)
      .join(collect, { from: fan })
      .edge(fan, square)
      .edge(square, collect)
      .build();
    await expect(wf.run(0)).resolves.toEqual(Array.from({ length: count }, (_, i) => i * i));
  });

  it('joins branches of different lengths in fan-out order, not arrival order', async () => {
    const fan = node({
      name: 'fan',
      process: (n: number) => Transition.nextAll([3, 0, 2, 1].map((hops) => ({ id: n++, hops }))),
    });
    const hop = node({
      name: 'hop',
      process: (b: { id: number; hops: number }) => ({ ...b, hops: b.hops - 1 }),
    });
    const done = node({ name: 'done', process: (b: { id: number }) => b.id });
    const collect = node({ name: 'collect', process: (ids: number[]) => ids });
    const wf = workflow({ name: 'uneven' })
      .start(fan)
      .join(collect, { from: fan })
      .route(fan, (b) => (b.hops > 0 ? 'more' : 'done'), { more: hop, done })
      .route(hop, (b) => (b.hops > 0 ? 'more' : 'done'), { more: hop, done })
      .edge(done, collect)
      .build();
    await expect(wf.run(10)).resolves.toEqual([10, 11, 12, 13]);
    await expect(wf.run(10, { concurrency: 3 })).resolves.toEqual([10, 11, 12, 13]);
  });

  it('a branch that holds means the join never fires: NoTerminalOutputError', async () => {
    const fan = fanTo(3);
    const picky = node({ name: 'picky', process: (n: number) => (n === 1 ? Transition.hold() : n) });
    const collect = node({ name: 'collect', process: (xs: number[]) => xs });
    const wf = workflow({ name: 'held' })
      .start(fan)
      .join(collect, { from: fan })
      .edge(fan, picky)
      .edge(picky, collect)
      .build();
    const error = await wf.run(0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoTerminalOutputError);
    expect((error as Error).message).toContain('join');
  });

  it('routes to arms, including terminal arms', async () => {
    const review = node({
      name: 'review',
      process: (score: number) =>
        ({ kind: score >= 5 ? 'approved' : score > 0 ? 'rejected' : 'skip', score }) as const,
    });
    const publish = node({ name: 'publish', process: (r: { score: number }) => `published ${r.score}` });
    const reject = node({ name: 'reject', process: (r: { score: number }) => `rejected ${r.score}` });
    const wf = workflow({ name: 'route' })
      .start(review)
      .route(review, 'kind', { approved: publish, rejected: reject, skip: [] })
      .build();
    await expect(wf.run(7)).resolves.toBe('published 7');
    await expect(wf.run(2)).resolves.toBe('rejected 2');
    await expect(wf.run(0)).resolves.toEqual({ kind: 'skip', score: 0 });
  });

  it('takes the on-failure edge only after retries are exhausted, with the original input', async () => {
    vi.useFakeTimers();
    let attempts = 0;
    const charge = node({
      name: 'charge',
      retry: RetryPolicy.fixed({ maxAttempts: 3, initialDelayMs: 100 }),
      process: (order: { id: string }): string => {
        attempts++;
        throw new Error(`card declined for ${order.id}`);
      },
    });
    const refund = node({ name: 'refund', process: (order: { id: string }) => `refunded ${order.id}` });
    const wf = workflow({ name: 'fallback' }).start(charge).onFailure(charge, refund).build();
    const run = wf.run({ id: 'o-1' });
    await vi.advanceTimersByTimeAsync(250);
    await expect(run).resolves.toBe('refunded o-1');
    expect(attempts).toBe(3);
  });

  it('a failed node without fallback fails the run with NodeError after its retries', async () => {
    vi.useFakeTimers();
    let attempts = 0;
    const cause = new Error('down');
    const flaky = node({
      name: 'flaky',
      retry: RetryPolicy.exponential({ maxAttempts: 4, initialDelayMs: 10 }),
      process: (): number => {
        attempts++;
        throw cause;
      },
    });
    const run = workflow({ name: 'dead' })
      .start(flaky)
      .build()
      .run(1)
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10 + 20 + 40);
    const error = await run;
    expect(error).toBeInstanceOf(NodeError);
    expect(error).toMatchObject({ node: 'flaky', attempt: 4, cause });
    expect(attempts).toBe(4);
  });

  it('retryOn returning false stops at once', async () => {
    let attempts = 0;
    const picky = node({
      name: 'picky',
      retry: RetryPolicy.fixed({
        maxAttempts: 5,
        initialDelayMs: 1_000,
        retryOn: (e) => !(e instanceof TypeError),
      }),
      process: (): number => {
        attempts++;
        throw new TypeError('bad');
      },
    });
    await expect(workflow({ name: 'p' }).start(picky).build().run(1)).rejects.toBeInstanceOf(NodeError);
    expect(attempts).toBe(1);
  });

  it('a node timeout aborts a sleeping node with TimeoutError', async () => {
    vi.useFakeTimers();
    let aborted = false;
    const sleepy = node({
      name: 'sleepy',
      timeoutMs: 500,
      async process(_: number, ctx) {
        ctx.signal.addEventListener('abort', () => (aborted = true));
        await ctx.sleep(2_000);
        return 'woke';
      },
    });
    const run = workflow({ name: 'timeout' })
      .start(sleepy)
      .build()
      .run(1)
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(500);
    const error = await run;
    expect(error).toBeInstanceOf(NodeError);
    expect((error as NodeError).cause).toBeInstanceOf(TimeoutError);
    expect(aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a timed-out attempt is retried by policy', async () => {
    vi.useFakeTimers();
    let attempts = 0;
    const slowOnce = node({
      name: 'slowOnce',
      timeoutMs: 100,
      retry: RetryPolicy.fixed({ maxAttempts: 2, initialDelayMs: 10 }),
      async process(n: number, ctx) {
        attempts++;
        if (ctx.attempt === 1) await ctx.sleep(1_000);
        return n;
      },
    });
    const run = workflow({ name: 't2' }).start(slowOnce).build().run(5);
    await vi.advanceTimersByTimeAsync(200);
    await expect(run).resolves.toBe(5);
    expect(attempts).toBe(2);
  });

  it('cancel aborts a sleeping node and the run rejects with CancelledError', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const sleepy = node({ name: 'sleepy', process: async (_: number, ctx) => ctx.sleep(2_000) });
    const run = workflow({ name: 'cancel' })
      .start(sleepy)
      .build()
      .run(1, { signal: controller.signal })
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(500);
    controller.abort();
    expect(await run).toBeInstanceOf(CancelledError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a node that ignores its signal cannot hang the run', async () => {
    vi.useFakeTimers();
    const stubborn = node({
      name: 'stubborn',
      timeoutMs: 50,
      process: () => new Promise<number>(() => undefined),
    });
    const run = workflow({ name: 'stubborn' })
      .start(stubborn)
      .build()
      .run(1)
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(50);
    expect(((await run) as NodeError).cause).toBeInstanceOf(TimeoutError);
  });

  it('cancel during a retry wait stops the run', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const failing = node({
      name: 'failing',
      retry: RetryPolicy.fixed({ maxAttempts: 3, initialDelayMs: 10_000 }),
      process: (): number => {
        throw new Error('x');
      },
    });
    const run = workflow({ name: 'cw' })
      .start(failing)
      .build()
      .run(1, { signal: controller.signal })
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    controller.abort();
    expect(await run).toBeInstanceOf(CancelledError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('the run deadline covers the whole run, across nodes and retry waits', async () => {
    vi.useFakeTimers();
    const step = node({ name: 'step', process: async (n: number, ctx) => (await ctx.sleep(300), n + 1) });
    const loop = node({ name: 'loop', process: (n: number) => n });
    const wf = workflow({ name: 'deadline' }).start(step).edge(step, loop).edge(loop, step).build();
    const run = wf.run(0, { deadlineMs: 1_000 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_000);
    const error = await run;
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as DeadlineExceededError).code).toBe('DEADLINE_EXCEEDED');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('runs steps concurrently with the concurrency option and aborts the rest once an output exists', async () => {
    let running = 0;
    let peak = 0;
    const fan = fanTo(6);
    const work = node({
      name: 'work',
      async process(n: number, ctx) {
        running++;
        peak = Math.max(peak, running);
        try {
          await ctx.sleep(n === 0 ? 1 : 50);
        } finally {
          running--;
        }
        return n;
      },
    });
    const wf = workflow({ name: 'conc' }).start(fan).edge(fan, work).build();
    await expect(wf.run(0, { concurrency: 3 })).resolves.toBe(0);
    expect(peak).toBe(3);
    expect(running).toBe(0);
  });
});
