import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { node } from '../node/node.js';
import { RetryPolicy } from '../retry/retry-policy.js';
import { Transition } from '../transition/transition.js';
import { workflow } from '../workflow/workflow-builder.js';
import { completeJoin } from './complete-join.js';
import { executeStep } from './execute-step.js';
import type { AdvanceOutcome } from './step-outcome.js';
import type { WorkItem } from './work-item.js';

const fan = node({ name: 'fan', process: (xs: number[]) => Transition.nextAll(xs) });
const left = node({ name: 'left', process: (n: number) => n });
const right = node({ name: 'right', process: (n: number) => -n });
const collect = node({ name: 'collect', process: (xs: number[]) => xs });

function advance(outcome: unknown): AdvanceOutcome {
  expect(outcome).toMatchObject({ kind: 'advance' });
  return outcome as AdvanceOutcome;
}

describe('executeStep', () => {
  const wf = workflow({ name: 'mxn' }).start(fan).edge(fan, [left, right]).build();

  it('fans out M×N in item-major order with deterministic, bounded successor ids', async () => {
    const item = wf.createStartItem('run-1', [1, 2, 3]);
    const first = advance(await executeStep({ workflow: wf, item, context: wf.initialContext() }));
    expect(first.transition).toBe('nextAll');
    expect(first.successors.map((s) => [s.node, s.input])).toEqual([
      ['left', 1],
      ['right', 1],
      ['left', 2],
      ['right', 2],
      ['left', 3],
      ['right', 3],
    ]);
    expect(new Set(first.successors.map((s) => s.itemId)).size).toBe(6);
    for (const s of first.successors) {
      expect(s).toMatchObject({ runId: 'run-1', workflow: 'mxn', version: 1, attempt: 1, branches: [] });
      expect(s.itemId.length).toBeLessThanOrEqual(40);
    }
    const again = advance(await executeStep({ workflow: wf, item, context: wf.initialContext() }));
    expect(again.successors.map((s) => s.itemId)).toEqual(first.successors.map((s) => s.itemId));
    expect(wf.createStartItem('run-1', [1]).itemId).toBe(item.itemId);
    expect(wf.createStartItem('run-2', [1]).itemId).not.toBe(item.itemId);
  });

  it('copies the deadline to successors', async () => {
    const item = wf.createStartItem('run-d', [1], { deadlineAt: Date.now() + 60_000 });
    const out = advance(await executeStep({ workflow: wf, item, context: {} }));
    expect(out.successors.every((s) => s.deadlineAt === item.deadlineAt)).toBe(true);
  });

  it('emits join arrivals with frames; completeJoin builds the join item with values in index order', async () => {
    const jwf = workflow({ name: 'join' })
      .start(fan)
      .join(collect, { from: fan })
      .edge(fan, [left, right])
      .edge(left, collect)
      .edge(right, collect)
      .build();
    const start = jwf.createStartItem('run-j', [1, 2]);
    const out = advance(await executeStep({ workflow: jwf, item: start, context: {} }));
    expect(out.successors.map((s) => s.branches)).toEqual(
      [0, 1, 2, 3].map((index) => [{ fanOutItemId: start.itemId, join: 'collect', index, total: 4 }]),
    );
    const arrivals = [];
    for (const branch of out.successors) {
      const step = advance(await executeStep({ workflow: jwf, item: branch, context: {} }));
      expect(step.successors).toEqual([]);
      arrivals.push(...step.joins);
    }
    expect(arrivals.map((a) => [a.index, a.total, a.value])).toEqual([
      [0, 4, 1],
      [1, 4, -1],
      [2, 4, 2],
      [3, 4, -2],
    ]);
    expect(new Set(arrivals.map((a) => a.joinItem.itemId)).size).toBe(1);
    const joinItem = completeJoin(
      arrivals[0] as (typeof arrivals)[number],
      arrivals.map((a) => a.value),
    );
    expect(joinItem).toMatchObject({
      node: 'collect',
      attempt: 1,
      branches: [],
      runId: 'run-j',
      input: [1, -1, 2, -2],
    });
    const final = advance(await executeStep({ workflow: jwf, item: joinItem, context: {} }));
    expect(final.output).toEqual({ value: [1, -1, 2, -2] });
  });

  it('a direct edge from the join source to the join arrives at once', async () => {
    const jwf = workflow({ name: 'direct' })
      .start(fan)
      .join(collect, { from: fan })
      .edge(fan, collect)
      .build();
    const out = advance(
      await executeStep({ workflow: jwf, item: jwf.createStartItem('r', [7, 8]), context: {} }),
    );
    expect(out.successors).toEqual([]);
    expect(out.joins.map((j) => [j.index, j.total, j.value])).toEqual([
      [0, 2, 7],
      [1, 2, 8],
    ]);
  });

  it('returns a retry outcome while the policy allows, then failed with fallback items on the original input', async () => {
    const flaky = node({
      name: 'flaky',
      input: z.string().transform((s) => s.length),
      retry: RetryPolicy.fixed({ maxAttempts: 2, initialDelayMs: 25 }),
      process: (): number => {
        throw new Error('nope');
      },
    });
    // The fallback receives the raw input (a string), not the schema's transformed value.
    const rescue = node({ name: 'rescue', process: (s: unknown) => s });
    const fwf = workflow({ name: 'f' }).start(flaky).onFailure(flaky, rescue).build();
    const item = fwf.createStartItem('r', 'abc');
    const first = await executeStep({ workflow: fwf, item, context: {} });
    expect(first).toMatchObject({
      kind: 'retry',
      delayMs: 25,
      error: { code: 'NODE_FAILED', message: 'nope' },
      retryItem: { ...item, attempt: 2 },
    });
    const second = await executeStep({ workflow: fwf, item: { ...item, attempt: 2 }, context: {} });
    expect(second).toMatchObject({ kind: 'failed', error: { message: 'nope' } });
    if (second.kind !== 'failed') throw new Error('unreachable');
    expect(second.fallback).toHaveLength(1);
    expect(second.fallback[0]).toMatchObject({ node: 'rescue', input: 'abc', attempt: 1 });
  });

  it('does not retry when the delay would overrun the deadline, nor on cancel; cancel takes no fallback', async () => {
    const failing = node({
      name: 'failing',
      retry: RetryPolicy.fixed({ maxAttempts: 5, initialDelayMs: 10_000 }),
      process: (_: number): number => {
        throw new Error('x');
      },
    });
    const rescue = node({ name: 'rescue', process: (n: number) => n });
    const fwf = workflow({ name: 'f' }).start(failing).onFailure(failing, rescue).build();
    const item = fwf.createStartItem('r', 1, { deadlineAt: Date.now() + 1_000 });
    expect(await executeStep({ workflow: fwf, item, context: {} })).toMatchObject({
      kind: 'failed',
      fallback: [{ node: 'rescue' }],
    });
    const controller = new AbortController();
    controller.abort();
    expect(await executeStep({ workflow: fwf, item, context: {}, signal: controller.signal })).toMatchObject({
      kind: 'failed',
      error: { code: 'CANCELLED' },
      fallback: [],
    });
  });

  it('rejects invalid input and output with a validation failure that is not retried', async () => {
    const typed = node({
      name: 'typed',
      input: z.number(),
      output: z.number().int(),
      retry: RetryPolicy.fixed({ maxAttempts: 3, initialDelayMs: 1 }),
      process: (n) => n / 2,
    });
    const twf = workflow({ name: 't' }).start(typed).build();
    const bad = { ...twf.createStartItem('r', 1), input: 'one' };
    expect(await executeStep({ workflow: twf, item: bad, context: {} })).toMatchObject({
      kind: 'failed',
      error: { code: 'VALIDATION' },
    });
    expect(
      await executeStep({ workflow: twf, item: twf.createStartItem('r', 3), context: {} }),
    ).toMatchObject({ kind: 'failed', error: { code: 'VALIDATION' } });
    expect(
      await executeStep({ workflow: twf, item: twf.createStartItem('r', 4), context: {} }),
    ).toMatchObject({ kind: 'advance', output: { value: 2 } });
  });

  it('fails an item naming an unknown node with UNKNOWN_WORKFLOW', async () => {
    const item: WorkItem = { ...wf.createStartItem('r', [1]), node: 'ghost' };
    expect(await executeStep({ workflow: wf, item, context: {} })).toMatchObject({
      kind: 'failed',
      error: { code: 'UNKNOWN_WORKFLOW' },
    });
  });

  it('routes outputs by discriminant, terminal arms becoming the output', async () => {
    const classify = node({
      name: 'classify',
      process: (xs: number[]) =>
        Transition.nextAll(xs.map((n) => ({ kind: n > 0 ? 'pos' : n < 0 ? 'neg' : 'zero', n }))),
    });
    const pos = node({ name: 'pos', process: (v: { n: number }) => v.n });
    const rwf = workflow({ name: 'r' })
      .start(classify)
      .route(classify, 'kind', { pos, neg: [pos, pos], zero: [] })
      .build();
    const out = advance(
      await executeStep({ workflow: rwf, item: rwf.createStartItem('r', [1, -2, 0, 0]), context: {} }),
    );
    expect(out.successors.map((s) => (s.input as { n: number }).n)).toEqual([1, -2, -2]);
    expect(out.output).toEqual({ value: { kind: 'zero', n: 0 } });
    const loose = workflow({ name: 'loose' })
      .start(pos)
      .route(pos, (n): string => (n > 0 ? 'big' : 'other'), { big: [] })
      .build();
    const missing = await executeStep({
      workflow: loose,
      item: loose.createStartItem('r', { n: -1 }),
      context: {},
    });
    expect(missing).toMatchObject({ kind: 'failed', error: { code: 'VALIDATION' } });
  });
});
