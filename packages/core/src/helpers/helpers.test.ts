import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { CancelledError, NodeError, TimeoutError } from '../errors/errors.js';
import { node } from '../node/node.js';
import { Transition } from '../transition/transition.js';
import { workflow } from '../workflow/workflow-builder.js';
import { batch } from './batch.js';
import { source } from './source.js';
import { split } from './split.js';
import { subflow } from './subflow.js';

afterEach(() => {
  vi.useRealTimers();
});

const double = node({ name: 'double', input: z.number(), process: (n) => n * 2 });

describe('split', () => {
  it('fans its outputs out with nextAll', async () => {
    const parts = split('parts', (s: string) => s.split(','));
    const collect = node({ name: 'collect', process: (xs: string[]) => xs.join('+') });
    const wf = workflow({ name: 's' })
      .start(parts)
      .join(collect, { from: parts })
      .edge(parts, collect)
      .build();
    await expect(wf.run('a,b,c')).resolves.toBe('a+b+c');
  });
});

describe('batch', () => {
  it('runs the inner node over chunks in input order, flattening nextAll and skipping hold', async () => {
    let active = 0;
    let peak = 0;
    const inner = node({
      name: 'inner',
      async process(n: number) {
        active++;
        peak = Math.max(peak, active);
        await Promise.resolve();
        active--;
        if (n === 0) return Transition.hold();
        if (n < 0) return Transition.nextAll([n, n]);
        return n * 2;
      },
    });
    const wf = workflow({ name: 'b' })
      .start(batch('all', inner, 2))
      .build();
    await expect(wf.run([1, 0, -1, 3, 4])).resolves.toEqual([2, -1, -1, 6, 8]);
    expect(peak).toBe(2);
  });

  it('fails the whole batch on the first abort and validates elements with the inner schema', async () => {
    const picky = node({
      name: 'picky',
      process: (n: number) => (n > 2 ? Transition.abort(new Error('too big')) : n),
    });
    await expect(
      workflow({ name: 'b' })
        .start(batch('all', picky, 2))
        .build()
        .run([1, 3]),
    ).rejects.toBeInstanceOf(NodeError);
    const wf = workflow({ name: 'v' })
      .start(batch('all', double, 3))
      .build();
    const error = await wf.run(['x'] as never).catch((e: unknown) => e);
    expect((error as NodeError).cause).toMatchObject({ code: 'VALIDATION' });
    expect(() => batch('bad', double, 0)).toThrow(RangeError);
  });
});

describe('subflow', () => {
  it('runs a workflow as a node', async () => {
    const addTen = node({ name: 'addTen', process: (n: number) => n + 10 });
    const inner = workflow({ name: 'inner' }).start(double).edge(double, addTen).build();
    const outer = workflow({ name: 'outer' }).start(subflow('inner', inner)).build();
    await expect(outer.run(5)).resolves.toBe(20);
  });

  it("the child's cancellation follows the parent's signal", async () => {
    vi.useFakeTimers();
    let childAborted = false;
    const sleepy = node({
      name: 'sleepy',
      async process(n: number, ctx) {
        ctx.signal.addEventListener('abort', () => (childAborted = true));
        await ctx.sleep(10_000);
        return n;
      },
    });
    const inner = workflow({ name: 'inner' }).start(sleepy).build();
    const outer = workflow({ name: 'outer' }).start(subflow('child', inner)).build();
    const controller = new AbortController();
    const run = outer.run(1, { signal: controller.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    controller.abort();
    expect(await run).toBeInstanceOf(CancelledError);
    expect(childAborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a parent node timeout aborts the child', async () => {
    vi.useFakeTimers();
    const sleepy = node({ name: 'sleepy', process: async (n: number, ctx) => (await ctx.sleep(10_000), n) });
    const inner = workflow({ name: 'inner' }).start(sleepy).build();
    const child = { ...subflow('child', inner), timeoutMs: 50 };
    const run = workflow({ name: 'outer' })
      .start(child)
      .build()
      .run(1)
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(50);
    expect(((await run) as NodeError).cause).toBeInstanceOf(TimeoutError);
  });
});

describe('source', () => {
  it('drives one run per input from an async iterable, yielding outputs in order', async () => {
    async function* inputs() {
      for (let i = 1; i <= 3; i++) yield i;
    }
    const wf = workflow({ name: 'src' }).start(double).build();
    const outputs: number[] = [];
    for await (const out of source(wf).run(inputs(), { runIdPrefix: 'tick' })) outputs.push(out);
    expect(outputs).toEqual([2, 4, 6]);
  });

  it('stops at the first failure and on abort', async () => {
    const wf = workflow({ name: 'src' }).start(double).build();
    const seen: number[] = [];
    const failing = async () => {
      for await (const out of source(wf).run([1, 'x' as never, 3])) seen.push(out);
    };
    await expect(failing()).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(seen).toEqual([2]);
    const controller = new AbortController();
    const stopped = async () => {
      for await (const out of source(wf).run([1, 2, 3], { signal: controller.signal })) {
        seen.push(out);
        controller.abort();
      }
    };
    await expect(stopped()).rejects.toBeInstanceOf(CancelledError);
    expect(seen).toEqual([2, 2]);
  });
});
