import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { context } from '../context/context-definition.js';
import { eventLog, register } from '../context/context-fields.js';
import { ValidationError } from '../errors/errors.js';
import { node } from '../node/node.js';
import { workflow } from '../workflow/workflow-builder.js';
import { formatIssuePath, parseSchema, type Schema } from './schema.js';

// The same order shape in the three Standard Schema libraries: a node must behave the same with each.
const libraries: ReadonlyArray<readonly [string, Schema<{ id: number; tags: string[] }>]> = [
  ['zod', z.object({ id: z.number(), tags: z.array(z.string()) })],
  ['valibot', v.object({ id: v.number(), tags: v.array(v.string()) })],
  ['arktype', type({ id: 'number', tags: 'string[]' })],
];

describe.each(libraries)('a %s schema', (_library, schema) => {
  const count = node({ name: 'count', input: schema, process: (order) => order.tags.length });
  const wf = workflow({ name: 'orders' }).start(count).build();

  it('validates a run input and passes the parsed value to the node', async () => {
    await expect(wf.run({ id: 1, tags: ['a', 'b'] })).resolves.toBe(2);
  });

  it('refuses a bad run input with a ValidationError carrying the issues and their paths', async () => {
    const error = await wf.run({ id: 1, tags: ['a', 7] } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const issues = (error as ValidationError).issues;
    expect(issues.length).toBeGreaterThan(0);
    expect(formatIssuePath(issues[0]?.path ?? [])).toBe('tags[1]');
    expect((error as ValidationError).message).toMatch(
      /^invalid input for workflow 'orders':\n- tags\[1\]: /,
    );
  });

  it('validates node outputs', async () => {
    const bad = node({ name: 'bad', output: schema, process: () => ({ id: 'x', tags: [] }) as never });
    const error = await workflow({ name: 'out' })
      .start(bad)
      .build()
      .run(null)
      .catch((e: unknown) => e);
    // A bad output fails the step: the run's NodeError carries the ValidationError as its cause.
    const cause = (error as Error).cause;
    expect(cause).toBeInstanceOf(ValidationError);
    expect((cause as ValidationError).message).toMatch(/invalid output of node 'bad':\n- id: /);
  });
});

describe('context fields with non-zod schemas', () => {
  const Ctx = context({ seen: eventLog(v.string()), status: register(type("'new' | 'done'")) });
  const mark = node({
    name: 'mark',
    context: Ctx,
    process(n: number, ctx) {
      ctx.context.seen.append(`saw ${n}`);
      ctx.context.status.set('done');
      return { seen: ctx.context.seen.values, status: ctx.context.status.value };
    },
  });
  const wf = workflow({ name: 'marks', context: Ctx }).start(mark).build();

  it('validate initial values and run', async () => {
    await expect(wf.run(1, { context: { status: 'new' } })).resolves.toEqual({
      seen: ['saw 1'],
      status: 'done',
    });
    expect(() => wf.initialContext({ status: 'weird' })).toThrow(ValidationError);
  });
});

describe('parseSchema', () => {
  it('returns the transformed value', () => {
    expect(parseSchema(z.string().transform(Number), '42', 'n')).toBe(42);
    expect(parseSchema(v.pipe(v.string(), v.transform(Number)), '42', 'n')).toBe(42);
  });

  it('refuses an asynchronous schema with a message saying so', () => {
    const slow = z.string().refine(async () => true);
    expect(() => parseSchema(slow, 'x', 'invalid input')).toThrow(/validates asynchronously/);
  });

  it('keeps library-specific issue fields (zod issue codes)', () => {
    try {
      parseSchema(z.number(), 'x', 'n');
      expect.unreachable();
    } catch (error) {
      expect((error as ValidationError).issues[0]).toMatchObject({ code: 'invalid_type', path: [] });
      expect((error as ValidationError).message).toBe(
        'n:\n- Invalid input: expected number, received string',
      );
    }
  });

  it('formats keys and `{ key }` segments alike', () => {
    expect(formatIssuePath(['urls', 0, { key: 'host' }])).toBe('urls[0].host');
    expect(formatIssuePath([])).toBe('');
  });
});
