import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MemoryCheckpointStore } from '../checkpoint/memory-checkpoint-store.js';
import { context } from '../context/context-definition.js';
import { counter } from '../context/context-fields.js';
import {
  NodeError,
  RunStateError,
  RunWaitingError,
  SerializationError,
  SignalTimeoutError,
  ValidationError,
} from '../errors/errors.js';
import { node } from '../node/node.js';
import { Transition } from '../transition/transition.js';
import { workflow } from '../workflow/workflow-builder.js';

const Ctx = context({ asked: counter() });
const Approval = z.object({ approved: z.boolean(), by: z.string() });

/** submit → ask (waits for 'approval') → decide; ask's on-failure edge goes to 'expire' when `withFallback`. */
function approvalFlow(options: { timeoutMs?: number; withFallback?: boolean } = {}) {
  const calls: string[] = [];
  const submit = node({ name: 'submit', process: (amount: number) => ({ amount }) });
  const ask = node({
    name: 'ask',
    context: Ctx,
    process(request: { amount: number }, ctx) {
      calls.push(`ask ${request.amount}`);
      ctx.context.asked.add(1);
      return Transition.waitFor('approval', {
        schema: Approval,
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      });
    },
  });
  const decide = node({
    name: 'decide',
    context: Ctx,
    process: (answer: z.infer<typeof Approval>, ctx) => ({
      result: answer.approved ? `approved by ${answer.by}` : `rejected by ${answer.by}`,
      asked: ctx.context.asked.value,
    }),
  });
  const expire = node({
    name: 'expire',
    context: Ctx,
    process: (request: { amount: number }, ctx) => ({
      result: `expired ${request.amount}`,
      asked: ctx.context.asked.value,
    }),
  });
  const builder = workflow({ name: 'approval', context: Ctx })
    .start(submit)
    .edge(submit, ask)
    .edge(ask, decide);
  const wf = options.withFallback === true ? builder.onFailure(ask, expire).build() : builder.build();
  return { wf, calls };
}

async function waiting(promise: Promise<unknown>): Promise<RunWaitingError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RunWaitingError);
  return error as RunWaitingError;
}

describe('signals on the local engine', () => {
  it('parks the run with status waiting, then resumes with the signal payload for the successors', async () => {
    const { wf, calls } = approvalFlow();
    const store = new MemoryCheckpointStore();
    const error = await waiting(wf.run(100, { runId: 'r1', checkpoint: store }));
    expect(error.code).toBe('RUN_WAITING');
    expect(error.signals).toEqual(['approval']);
    const parked = await store.load('r1');
    expect(parked?.status).toBe('waiting');
    expect(parked?.queue).toEqual([]);
    expect(parked?.waits?.map((w) => [w.name, w.item.node, w.timeoutAt])).toEqual([
      ['approval', 'ask', undefined],
    ]);
    // The parking attempt's context changes are not applied: the node runs again on delivery.
    expect(parked?.context).toEqual({ asked: 0 });

    const out = await wf.resume('r1', {
      checkpoint: store,
      deliver: { name: 'approval', payload: { approved: true, by: 'ada' } },
    });
    expect(out).toEqual({ result: 'approved by ada', asked: 1 });
    expect(calls).toEqual(['ask 100', 'ask 100']);
    expect((await store.load('r1'))?.status).toBe('completed');
    await expect(
      wf.resume('r1', { checkpoint: store, deliver: { name: 'approval', payload: {} } }),
    ).rejects.toBeInstanceOf(RunStateError);
  });

  it('rejects a run without a checkpoint store with RunWaitingError', async () => {
    const { wf } = approvalFlow();
    const error = await waiting(wf.run(1));
    expect(error.signals).toEqual(['approval']);
  });

  it('refuses a payload that fails the schema and keeps the run waiting for a valid one', async () => {
    const { wf } = approvalFlow();
    const store = new MemoryCheckpointStore();
    await waiting(wf.run(5, { runId: 'r2', checkpoint: store }));
    const refused = wf.resume('r2', {
      checkpoint: store,
      deliver: { name: 'approval', payload: { approved: 'yes' } },
    });
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toThrow(/invalid payload of signal 'approval' for node 'ask'/);
    const still = await store.load('r2');
    expect(still?.status).toBe('waiting');
    expect(still?.waits?.map((w) => w.name)).toEqual(['approval']);
    const out = await wf.resume('r2', {
      checkpoint: store,
      deliver: { name: 'approval', payload: { approved: false, by: 'bob' } },
    });
    expect(out).toEqual({ result: 'rejected by bob', asked: 1 });
  });

  it('refuses a signal the run does not wait for, and a resume without a signal parks again', async () => {
    const { wf } = approvalFlow();
    const store = new MemoryCheckpointStore();
    await waiting(wf.run(5, { runId: 'r3', checkpoint: store }));
    await expect(
      wf.resume('r3', { checkpoint: store, deliver: { name: 'other', payload: 1 } }),
    ).rejects.toThrow(/not waiting for signal 'other'/);
    const again = await waiting(wf.resume('r3', { checkpoint: store }));
    expect(again.signals).toEqual(['approval']);
    expect((await store.load('r3'))?.waits).toHaveLength(1);
  });

  it('a timed-out wait takes the on-failure edge', async () => {
    const { wf } = approvalFlow({ timeoutMs: 30, withFallback: true });
    const store = new MemoryCheckpointStore();
    await waiting(wf.run(7, { runId: 'r4', checkpoint: store }));
    const timeoutAt = (await store.load('r4'))?.waits?.[0]?.timeoutAt ?? 0;
    expect(timeoutAt).toBeGreaterThan(Date.now() - 1_000);
    await new Promise((resolve) => setTimeout(resolve, 60));
    // The signal came too late: the wait has timed out, so it is no longer waiting for it.
    await expect(
      wf.resume('r4', {
        checkpoint: store,
        deliver: { name: 'approval', payload: { approved: true, by: 'x' } },
      }),
    ).rejects.toBeInstanceOf(RunStateError);
    expect(await wf.resume('r4', { checkpoint: store })).toEqual({ result: 'expired 7', asked: 0 });
  });

  it('a timed-out wait without an on-failure edge fails the run with SignalTimeoutError', async () => {
    const { wf } = approvalFlow({ timeoutMs: 0 });
    const store = new MemoryCheckpointStore();
    const error = await wf.run(7, { runId: 'r5', checkpoint: store }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeError);
    expect((error as NodeError).cause).toBeInstanceOf(SignalTimeoutError);
    const failed = await store.load('r5');
    expect(failed?.status).toBe('failed');
    expect(failed?.error?.code).toBe('NODE_FAILED');
  });

  it('a signal within the timeout wins over it', async () => {
    const { wf } = approvalFlow({ timeoutMs: 60_000, withFallback: true });
    const store = new MemoryCheckpointStore();
    await waiting(wf.run(9, { runId: 'r6', checkpoint: store }));
    const out = await wf.resume('r6', {
      checkpoint: store,
      deliver: { name: 'approval', payload: { approved: true, by: 'cy' } },
    });
    expect(out).toEqual({ result: 'approved by cy', asked: 1 });
  });

  it('other branches go on while one waits; each parked step takes its own signal', async () => {
    const fan = node({ name: 'fan', process: (n: number) => Transition.nextAll([n, n + 1]) });
    const gate = node({
      name: 'gate',
      process: (n: number) => Transition.waitFor<number>(`go-${n}`),
    });
    const sum = node({ name: 'sum', process: (xs: number[]) => xs.reduce((a, b) => a + b, 0) });
    const wf = workflow({ name: 'gates' })
      .start(fan)
      .join(sum, { from: fan })
      .edge(fan, gate)
      .edge(gate, sum)
      .build();
    const store = new MemoryCheckpointStore();
    const first = await waiting(wf.run(1, { runId: 'r7', checkpoint: store, concurrency: 2 }));
    expect([...first.signals].sort()).toEqual(['go-1', 'go-2']);
    const second = await waiting(
      wf.resume('r7', { checkpoint: store, deliver: { name: 'go-2', payload: 20 } }),
    );
    expect(second.signals).toEqual(['go-1']);
    expect(await wf.resume('r7', { checkpoint: store, deliver: { name: 'go-1', payload: 10 } })).toBe(30);
  });

  it('refuses a payload JSON cannot carry before anything runs, and the run keeps waiting', async () => {
    const { wf, calls } = approvalFlow();
    const store = new MemoryCheckpointStore();
    await waiting(wf.run(3, { runId: 'r8', checkpoint: store }));
    await expect(
      wf.resume('r8', { checkpoint: store, deliver: { name: 'approval', payload: { by: 10n } } }),
    ).rejects.toBeInstanceOf(SerializationError);
    expect(calls).toEqual(['ask 3']);
    expect((await store.load('r8'))?.status).toBe('waiting');
  });

  it('refuses a timeout that is not a number of milliseconds', async () => {
    const bad = node({ name: 'bad', process: () => Transition.waitFor('x', { timeoutMs: -1 }) });
    const wf = workflow({ name: 'bad-wait' }).start(bad).build();
    const error = await wf.run(undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeError);
    expect((error as NodeError).cause).toBeInstanceOf(ValidationError);
  });
});
