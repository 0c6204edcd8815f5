import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../errors/errors.js';
import { node } from '../node/node.js';
import { RetryPolicy } from '../retry/retry-policy.js';
import { executeStep } from '../step/execute-step.js';
import type { AdvanceOutcome } from '../step/step-outcome.js';
import { Transition } from '../transition/transition.js';
import { workflow } from '../workflow/workflow-builder.js';
import { applyContextOps } from './apply-context-ops.js';
import { context } from './context-definition.js';
import { counter, eventLog, fixed, reducer, register } from './context-fields.js';

afterEach(() => {
  vi.useRealTimers();
});

const Ctx = context({
  seen: eventLog(z.string()),
  expected: fixed(z.number()),
  hits: counter(),
  status: register(z.enum(['new', 'busy', 'done'])),
  total: reducer(z.number(), (state: number, op: number) => state + op, { initial: 100 }),
});

const probe = node({
  name: 'probe',
  context: Ctx,
  process(n: number, ctx) {
    ctx.context.hits.add(n);
    ctx.context.hits.add();
    ctx.context.seen.append(`saw ${n}`);
    ctx.context.status.set('busy');
    ctx.context.total.dispatch(n);
    return {
      hits: ctx.context.hits.value,
      seen: ctx.context.seen.values,
      status: ctx.context.status.value,
      total: ctx.context.total.value,
      expected: ctx.context.expected.value,
    };
  },
});
const wf = workflow({ name: 'ctx', context: Ctx }).start(probe).build();

describe('context', () => {
  it('initialContext validates values and fills defaults', () => {
    expect(wf.initialContext({ expected: 3 })).toEqual({
      seen: [],
      expected: 3,
      hits: 0,
      status: null,
      total: 100,
    });
    expect(wf.initialContext({ expected: 3, seen: ['a'], hits: 2, status: 'new' })).toMatchObject({
      seen: [{ id: 'initial:0', event: 'a' }],
      hits: 2,
      status: 'new',
    });
    expect(() => wf.initialContext({})).toThrow(ValidationError);
    expect(() => wf.initialContext({ expected: 'three' })).toThrow(ValidationError);
    expect(() => wf.initialContext({ expected: 1, nope: 1 })).toThrow(/unknown field 'nope'/);
    expect(() => wf.initialContext({ expected: 1, status: 'weird' })).toThrow(ValidationError);
  });

  it('a node reads committed values plus its own pending operations', async () => {
    const item = wf.createStartItem('r', 5);
    const state = wf.initialContext({ expected: 9, hits: 10 });
    const outcome = (await executeStep({ workflow: wf, item, context: state })) as AdvanceOutcome;
    expect(outcome.output?.value).toEqual({
      hits: 16,
      seen: ['saw 5'],
      status: 'busy',
      total: 105,
      expected: 9,
    });
    expect(outcome.contextOps).toEqual([
      { field: 'hits', op: 'add', value: 5 },
      { field: 'hits', op: 'add', value: 1 },
      { field: 'seen', op: 'append', value: 'saw 5', id: `${item.itemId}:0` },
      { field: 'status', op: 'set', value: 'busy' },
      { field: 'total', op: 'dispatch', value: 5 },
    ]);
    expect(state).toEqual(wf.initialContext({ expected: 9, hits: 10 }));
  });

  it('applyContextOps is pure and applies every merge rule; eventLog ignores known ids', () => {
    const state = wf.initialContext({ expected: 1 });
    const ops = [
      { field: 'hits', op: 'add', value: 2 },
      { field: 'seen', op: 'append', value: 'x', id: 'e1' },
      { field: 'seen', op: 'append', value: 'x again', id: 'e1' },
      { field: 'status', op: 'set', value: 'new' },
      { field: 'status', op: 'set', value: 'done' },
      { field: 'total', op: 'dispatch', value: 7 },
    ] as const;
    const once = applyContextOps(wf, state, ops);
    expect(once).toEqual({
      seen: [{ id: 'e1', event: 'x' }],
      expected: 1,
      hits: 2,
      status: 'done',
      total: 107,
    });
    expect(state).toEqual(wf.initialContext({ expected: 1 }));
    const twice = applyContextOps(wf, once, ops);
    expect(twice).toMatchObject({ seen: [{ id: 'e1', event: 'x' }], hits: 4, total: 114 });
    expect(() => applyContextOps(wf, state, [{ field: 'expected', op: 'set', value: 2 }])).toThrow(
      ValidationError,
    );
    expect(() => applyContextOps(wf, state, [{ field: 'ghost', op: 'add', value: 2 }])).toThrow(
      ValidationError,
    );
  });

  it("a failed attempt's operations are dropped; a retried append is not duplicated", async () => {
    vi.useFakeTimers();
    const flaky = node({
      name: 'flaky',
      context: Ctx,
      retry: RetryPolicy.fixed({ maxAttempts: 3, initialDelayMs: 10 }),
      process(n: number, ctx) {
        ctx.context.hits.add(1);
        ctx.context.seen.append('attempted');
        if (ctx.attempt < 3) throw new Error('try again');
        return n;
      },
    });
    const report = node({
      name: 'report',
      context: Ctx,
      process: (_: number, ctx) => ({ hits: ctx.context.hits.value, seen: ctx.context.seen.values }),
    });
    const rwf = workflow({ name: 'dropped', context: Ctx }).start(flaky).edge(flaky, report).build();
    const run = rwf.run(1, { context: { expected: 0 } });
    await vi.advanceTimersByTimeAsync(50);
    await expect(run).resolves.toEqual({ hits: 1, seen: ['attempted'] });
  });

  it('parallel branches all count (counter) and the last write wins (register)', async () => {
    const fan = node({
      name: 'fan',
      process: (n: number) => Transition.nextAll(Array.from({ length: n }, (_, i) => i)),
    });
    const count = node({
      name: 'count',
      context: Ctx,
      process(i: number, ctx) {
        ctx.context.hits.add(i);
        ctx.context.status.set(i % 2 === 0 ? 'busy' : 'done');
        ctx.context.seen.append(`b${i}`);
        return i;
      },
    });
    const collect = node({
      name: 'collect',
      context: Ctx,
      process: (xs: number[], ctx) => ({
        n: xs.length,
        hits: ctx.context.hits.value,
        status: ctx.context.status.value,
        seen: ctx.context.seen.values.length,
      }),
    });
    const pwf = workflow({ name: 'par', context: Ctx })
      .start(fan)
      .join(collect, { from: fan })
      .edge(fan, count)
      .edge(count, collect)
      .build();
    await expect(pwf.run(10, { context: { expected: 10 } })).resolves.toEqual({
      n: 10,
      hits: 45,
      status: 'done',
      seen: 10,
    });
  });

  it('a workflow without context rejects initial values', () => {
    const plain = workflow({ name: 'plain' })
      .start(node({ name: 'x', process: (n: number) => n }))
      .build();
    expect(plain.initialContext()).toEqual({});
    expect(() => plain.initialContext({ a: 1 })).toThrow(ValidationError);
  });
});
