import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { context } from '../context/context-definition.js';
import { counter, eventLog } from '../context/context-fields.js';
import { subflow } from '../helpers/subflow.js';
import { node } from '../node/node.js';
import { Transition } from '../transition/transition.js';
import type { WorkflowCtx } from './workflow-ctx.js';
import { workflow } from './workflow-builder.js';

const double = node({ name: 'double', input: z.number(), output: z.number(), process: async (n) => n * 2 });
const toText = node({ name: 'toText', process: (n: number) => String(n) });
const shout = node({ name: 'shout', process: (s: string) => s.toUpperCase() });
const anything = node({ name: 'anything', process: (x: unknown) => x });

describe('node types', () => {
  it('infers input, output and name from schemas and annotations', () => {
    expectTypeOf(double.name).toEqualTypeOf<'double'>();
    expectTypeOf(double.process).parameter(0).toEqualTypeOf<number>();
    const fan = node({ name: 'fan', process: (n: number) => Transition.nextAll([n, n + 1]) });
    expectTypeOf(fan.process).returns.toEqualTypeOf<
      number | Transition<number> | Promise<number | Transition<number>>
    >();
  });
});

describe('edge type checks', () => {
  it('accepts edges whose target accepts the source output', () => {
    workflow({ name: 'ok' }).start(double).edge(double, toText).edge(toText, [shout, anything]);
  });

  it('rejects an edge whose target input does not accept the source output', () => {
    // @ts-expect-error string output into a number input
    workflow({ name: 'bad' }).start(toText).edge(toText, double);
    // @ts-expect-error one bad successor in a list is enough
    workflow({ name: 'bad2' }).start(double).edge(double, [toText, shout]);
  });

  it('checks fallbacks against the failing node input', () => {
    const rescueNumber = node({ name: 'rescueNumber', process: (n: number) => n });
    workflow({ name: 'f' }).start(double).onFailure(double, rescueNumber);
    // @ts-expect-error the fallback receives the failing node's number input
    workflow({ name: 'f2' }).start(double).onFailure(double, shout);
  });

  it('requires a join node to accept an array of the branch output, once declared', () => {
    const fan = node({ name: 'fan', process: (n: number) => Transition.nextAll([n]) });
    const collect = node({ name: 'collect', process: (xs: string[]) => xs.length });
    workflow({ name: 'j' }).start(fan).join(collect, { from: fan }).edge(fan, toText).edge(toText, collect);
    // @ts-expect-error number branches cannot feed a string[] join
    workflow({ name: 'j2' }).start(fan).join(collect, { from: fan }).edge(fan, collect);
    // @ts-expect-error an array-input node that is not a declared join does not accept single values
    workflow({ name: 'j3' }).start(fan).edge(fan, toText).edge(toText, collect);
  });

  it('checks route arms: by key each arm gets its narrowed variant; arms must be exhaustive', () => {
    type Review = { kind: 'approved'; id: number } | { kind: 'rejected'; reason: string };
    const review = node({
      name: 'review',
      process: (n: number): Review =>
        n > 0 ? { kind: 'approved', id: n } : { kind: 'rejected', reason: 'no' },
    });
    const publish = node({ name: 'publish', process: (r: { id: number }) => r.id });
    const reject = node({ name: 'reject', process: (r: { reason: string }) => r.reason });
    const wf = workflow({ name: 'r' })
      .start(review)
      .route(review, 'kind', { approved: publish, rejected: reject })
      .build();
    expectTypeOf(wf.run).returns.resolves.toEqualTypeOf<number | string>();
    // @ts-expect-error the rejected arm is missing
    workflow({ name: 'r2' }).start(review).route(review, 'kind', { approved: publish });
    // @ts-expect-error reject cannot take an approved review
    workflow({ name: 'r3' }).start(review).route(review, 'kind', { approved: reject, rejected: reject });
    const terminal = workflow({ name: 'r4' })
      .start(review)
      .route(review, (r) => r.kind, { approved: [], rejected: anything })
      .build();
    expectTypeOf(terminal.run).returns.resolves.toEqualTypeOf<unknown>();
  });
});

describe('workflow types', () => {
  it('infers run input from the start node and output from terminal nodes', () => {
    const wf = workflow({ name: 'w' }).start(double).edge(double, toText).build();
    expectTypeOf(wf.run).parameter(0).toEqualTypeOf<number>();
    expectTypeOf(wf.run).returns.resolves.toEqualTypeOf<string>();
    const sub = subflow('sub', wf);
    expectTypeOf(sub.process).parameter(0).toEqualTypeOf<number>();
  });

  it('types ctx.context from the context definition and run options from its fields', () => {
    const Ctx = context({ hits: counter(), seen: eventLog(z.string()) });
    const counted = node({
      name: 'counted',
      context: Ctx,
      process(n: number, ctx) {
        expectTypeOf(ctx.context.hits.value).toEqualTypeOf<number>();
        expectTypeOf(ctx.context.seen.values).toEqualTypeOf<readonly string[]>();
        return n;
      },
    });
    const annotated = node({
      name: 'annotated',
      process: (n: number, ctx: WorkflowCtx<typeof Ctx>) => ctx.context.hits.value + n,
    });
    const wf = workflow({ name: 'c', context: Ctx }).start(counted).edge(counted, annotated).build();
    void wf.run(1, { context: { hits: 3, seen: ['a'] } });
    // @ts-expect-error hits is a number
    void wf.run(1, { context: { hits: 'three' } });
  });
});

describe('Standard Schema inference', () => {
  it('infers node types from valibot and arktype schemas as from zod', async () => {
    const v = await import('valibot');
    const { type } = await import('arktype');
    const fromValibot = node({ name: 'v', input: v.object({ id: v.number() }), process: (o) => o.id });
    expectTypeOf(fromValibot.process).parameter(0).toEqualTypeOf<{ id: number }>();
    const fromArk = node({ name: 'a', input: type({ id: 'string' }), process: (o) => o.id });
    expectTypeOf(fromArk.process).parameter(0).toEqualTypeOf<{ id: string }>();
    const parsed = node({ name: 'p', input: z.string().transform(Number), process: (n) => n });
    expectTypeOf(parsed.process).parameter(0).toEqualTypeOf<number>();
  });
});
