import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  BackendError,
  context,
  CorruptRecordError,
  counter,
  node,
  reducer,
  RetryPolicy,
  Transition,
  workflow,
} from '@floxide/core';
import { MemoryBackend } from '../memory/memory-backend.js';
import { DistributedOrchestrator } from '../orchestrator/distributed-orchestrator.js';
import { doubleWorkflow } from '../test-support/workflows.js';
import { waitFor } from '../test-support/wait-for.js';
import { wrapBackend, wrapQueue } from '../test-support/wrap-backend.js';
import { DistributedWorker } from './distributed-worker.js';

const open: DistributedWorker[] = [];

function makeWorker(options: ConstructorParameters<typeof DistributedWorker>[0]): DistributedWorker {
  const worker = new DistributedWorker({ heartbeatMs: 50, idleWaitMs: 200, ...options });
  open.push(worker);
  return worker;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close({ graceMs: 0 })));
});

/** Resolves after `ms`, or rejects as soon as `signal` aborts (like a well-behaved node). */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}

describe('DistributedWorker', () => {
  it('runs a run to completion and reports itself in liveness', async () => {
    const backend = new MemoryBackend();
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [doubleWorkflow] });
    const worker = makeWorker({ backend, workflows: [doubleWorkflow], id: 'w-test' });
    await worker.start();
    const runId = await orchestrator.start(doubleWorkflow, 21);
    expect(await orchestrator.wait(runId, { timeoutMs: 10_000 })).toMatchObject({
      status: 'completed',
      output: 42,
    });
    expect(worker.stats.processed).toBe(1);
    expect((await backend.liveness.get('w-test'))?.pid).toBe(process.pid);
    await worker.close();
    expect((await backend.liveness.get('w-test'))?.status).toBe('stopped');
  });

  it('generates unique default ids', () => {
    const backend = new MemoryBackend();
    const a = new DistributedWorker({ backend, workflows: [] });
    const b = new DistributedWorker({ backend, workflows: [] });
    expect(a.id).not.toBe(b.id);
    expect(a.id).toContain(`-${process.pid}-`);
  });

  it('extends the lease by heartbeat while a long node runs, so no other worker runs it again', async () => {
    let executions = 0;
    const slow = workflow({ name: 'slow' })
      .start(
        node({
          name: 'slow',
          process: async (n: number, ctx) => {
            executions += 1;
            await ctx.sleep(800);
            return n;
          },
        }),
      )
      .build();
    const backend = new MemoryBackend();
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [slow] });
    const a = makeWorker({ backend, workflows: [slow], leaseMs: 250 });
    const b = makeWorker({ backend, workflows: [slow], leaseMs: 250 });
    await Promise.all([a.start(), b.start()]);
    const runId = await orchestrator.start(slow, 7);
    expect(await orchestrator.wait(runId, { timeoutMs: 10_000 })).toMatchObject({
      status: 'completed',
      output: 7,
    });
    expect(executions).toBe(1);
    expect((await orchestrator.workItems(runId))[0]).toMatchObject({ status: 'completed', attempts: 1 });
  });

  it('close lets an in-flight step finish within the grace', async () => {
    const slow = workflow({ name: 'slow' })
      .start(
        node({
          name: 'slow',
          process: async (n: number, ctx) => {
            await ctx.sleep(300);
            return n + 1;
          },
        }),
      )
      .build();
    const backend = new MemoryBackend();
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [slow] });
    const worker = makeWorker({ backend, workflows: [slow] });
    await worker.start();
    const runId = await orchestrator.start(slow, 1);
    await waitFor(async () => (await orchestrator.status(runId)) === 'running');
    await worker.close({ graceMs: 10_000 });
    expect(await orchestrator.get(runId)).toMatchObject({ status: 'completed', output: 2 });
  });

  it('close aborts steps still running after the grace and releases their leases for another worker', async () => {
    let aborted = 0;
    let attempts = 0;
    const stuck = workflow({ name: 'stuck' })
      .start(
        node({
          name: 'stuck',
          process: async (n: number, ctx) => {
            attempts += 1;
            if (attempts > 1) return n * 10;
            try {
              await abortableSleep(60_000, ctx.signal);
            } catch (error) {
              aborted += 1;
              throw error;
            }
            return n;
          },
        }),
      )
      .build();
    const backend = new MemoryBackend();
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [stuck] });
    const first = makeWorker({ backend, workflows: [stuck] });
    await first.start();
    const runId = await orchestrator.start(stuck, 3);
    await waitFor(() => attempts === 1);
    await first.close({ graceMs: 50 });
    expect(aborted).toBe(1);
    expect(await orchestrator.status(runId)).toBe('running');
    expect((await orchestrator.workItems(runId))[0]?.status).toBe('pending');
    expect(await orchestrator.errors(runId)).toEqual([]);
    const second = makeWorker({ backend, workflows: [stuck] });
    await second.start();
    expect(await orchestrator.wait(runId, { timeoutMs: 10_000 })).toMatchObject({
      status: 'completed',
      output: 30,
    });
  });

  it('leaves an item of a workflow it did not register queued, untouched, for a worker that knows it', async () => {
    const backend = new MemoryBackend();
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [doubleWorkflow] });
    const other = workflow({ name: 'other' })
      .start(node({ name: 'noop', process: (n: number) => n }))
      .build();
    const ignorant = makeWorker({ backend, workflows: [other], idleWaitMs: 20 });
    await ignorant.start();
    const runId = await orchestrator.start(doubleWorkflow, 5);
    await new Promise((r) => setTimeout(r, 150));
    expect(await orchestrator.errors(runId)).toEqual([]);
    expect(await orchestrator.status(runId)).toBe('queued');
    expect(await backend.queue.pending(runId)).toHaveLength(1);
    const knowing = makeWorker({ backend, workflows: [doubleWorkflow] });
    await knowing.start();
    expect(await orchestrator.wait(runId, { timeoutMs: 10_000 })).toMatchObject({
      status: 'completed',
      output: 10,
    });
    expect(ignorant.stats).toEqual({ processed: 0, errors: 0 });
    expect(await orchestrator.errors(runId)).toEqual([]);
  });

  it('routes by version: an item of v2 is not leased by a worker that has only v1', async () => {
    const v1 = workflow({ name: 'versioned', version: 1 })
      .start(node({ name: 'n', process: () => 'v1' }))
      .build();
    const v2 = workflow({ name: 'versioned', version: 2 })
      .start(node({ name: 'n', process: () => 'v2' }))
      .build();
    const backend = new MemoryBackend();
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [v1, v2] });
    const oldWorker = makeWorker({ backend, workflows: [v1], idleWaitMs: 20 });
    await oldWorker.start();
    const runId = await orchestrator.start('versioned', null);
    await new Promise((r) => setTimeout(r, 100));
    expect(await orchestrator.status(runId)).toBe('queued');
    const newWorker = makeWorker({ backend, workflows: [v2] });
    await newWorker.start();
    expect((await orchestrator.wait(runId, { timeoutMs: 10_000 })).output).toBe('v2');
    expect(await orchestrator.errors(runId)).toEqual([]);
  });

  it('serves only the task queues it lists', async () => {
    const mail = workflow({ name: 'mail', queue: 'emails' })
      .start(node({ name: 'send', process: () => 'sent' }))
      .build();
    const backend = new MemoryBackend();
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [mail] });
    const elsewhere = makeWorker({
      backend,
      workflows: [mail, doubleWorkflow],
      queues: ['default'],
      idleWaitMs: 20,
    });
    await elsewhere.start();
    const runId = await orchestrator.start(mail, null);
    await new Promise((r) => setTimeout(r, 100));
    expect(await orchestrator.status(runId)).toBe('queued');
    const mailer = makeWorker({ backend, workflows: [mail], queues: ['emails'] });
    await mailer.start();
    expect((await orchestrator.wait(runId, { timeoutMs: 10_000 })).output).toBe('sent');
    expect(() => new DistributedWorker({ backend, workflows: [mail], queues: ['gpu'] })).toThrow(
      /No registered workflow is in the queues \[gpu\].*\[emails\]/,
    );
  });

  it('cancel aborts the in-flight node’s signal and its commit changes nothing', async () => {
    let sawAbort = false;
    let started = false;
    const hangNode = node({
      name: 'hang',
      process: async (n: number, ctx) => {
        started = true;
        await new Promise<void>((resolve) =>
          ctx.signal.addEventListener('abort', () => resolve(), { once: true }),
        );
        sawAbort = true;
        // Ignore the abort and try to move on: the commit must be refused.
        return Transition.next(n);
      },
    });
    const after = node({ name: 'after', process: (n: number) => n });
    const hang = workflow({ name: 'hang' }).start(hangNode).edge(hangNode, after).build();
    const backend = new MemoryBackend();
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [hang] });
    const worker = makeWorker({ backend, workflows: [hang] });
    await worker.start();
    const runId = await orchestrator.start(hang, 1);
    await waitFor(() => started);
    await orchestrator.cancel(runId);
    await waitFor(() => sawAbort, { message: 'node saw its signal abort' });
    await waitFor(() => worker.currentItems.length === 0);
    expect(await orchestrator.get(runId)).toMatchObject({ status: 'cancelled' });
    expect((await orchestrator.workItems(runId)).map((i) => i.node)).toEqual(['hang']);
    expect((await orchestrator.metrics(runId)).completed).toBe(0);
  });

  it('turns a retry into a durable delayed item in the backend, then succeeds', async () => {
    let calls = 0;
    const flaky = workflow({ name: 'flaky' })
      .start(
        node({
          name: 'flaky',
          retry: RetryPolicy.fixed({ maxAttempts: 3, initialDelayMs: 400 }),
          process: (n: number) => {
            calls += 1;
            if (calls === 1) throw new Error('transient');
            return n;
          },
        }),
      )
      .build();
    const backend = new MemoryBackend();
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [flaky] });
    const worker = makeWorker({ backend, workflows: [flaky] });
    await worker.start();
    const runId = await orchestrator.start(flaky, 9);
    await waitFor(async () => (await orchestrator.workItems(runId))[0]?.status === 'waiting-retry');
    expect(await backend.queue.pending(runId)).toMatchObject([{ attempt: 2 }]);
    expect((await orchestrator.errors(runId))[0]).toMatchObject({
      attempt: 1,
      error: { message: 'transient' },
    });
    expect(await orchestrator.wait(runId, { timeoutMs: 10_000 })).toMatchObject({
      status: 'completed',
      output: 9,
    });
    expect((await orchestrator.metrics(runId)).retries).toBe(1);
  });

  it('marks the item dead and fails the run when retries are exhausted without a fallback', async () => {
    const broken = workflow({ name: 'broken' })
      .start(
        node({
          name: 'broken',
          retry: RetryPolicy.fixed({ maxAttempts: 2, initialDelayMs: 10 }),
          process: (): number => {
            throw new Error('always');
          },
        }),
      )
      .build();
    const backend = new MemoryBackend();
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [broken] });
    const worker = makeWorker({ backend, workflows: [broken] });
    await worker.start();
    const runId = await orchestrator.start(broken, 1);
    const info = await orchestrator.wait(runId, { timeoutMs: 10_000 });
    expect(info.status).toBe('failed');
    expect((await orchestrator.workItems(runId))[0]).toMatchObject({ status: 'dead', attempts: 2 });
    expect(await orchestrator.errors(runId)).toHaveLength(2);
  });

  it('lets timers run while an in-process backlog keeps it busy (heartbeats and close are not starved)', async () => {
    // MemoryBackend answers with resolved promises: without a deliberate yield the loop would stay in the
    // microtask queue until the whole backlog is done, and this timer would only fire afterwards.
    const step = node({ name: 'step', process: (n: number) => n + 1 });
    const chain = workflow({ name: 'busy-chain' }).start(step).build();
    const backend = new MemoryBackend();
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [chain] });
    const runs = 5_000;
    for (let i = 0; i < runs; i += 500) {
      await Promise.all(Array.from({ length: 500 }, (_, k) => orchestrator.start(chain, i + k)));
    }
    const worker = makeWorker({ backend, workflows: [chain], concurrency: 16 });
    let processedWhenTimerFired = -1;
    const timerFired = new Promise<void>((resolve) =>
      setTimeout(() => {
        processedWhenTimerFired = worker.stats.processed;
        resolve();
      }, 1),
    );
    await worker.start();
    await timerFired;
    expect(processedWhenTimerFired).toBeLessThan(runs);
    await waitFor(() => worker.stats.processed === runs, { timeoutMs: 30_000 });
  });

  it('runs up to `concurrency` steps at once, leasing them in batches', async () => {
    let active = 0;
    let peak = 0;
    const fan = node({
      name: 'fan',
      process: (n: number) => Transition.nextAll(Array.from({ length: n }, (_, i) => i)),
    });
    const work = node({
      name: 'work',
      process: async (i: number, ctx) => {
        active += 1;
        peak = Math.max(peak, active);
        await ctx.sleep(100);
        active -= 1;
        return i;
      },
    });
    const collect = node({ name: 'collect', process: (values: readonly number[]) => values.length });
    const wide = workflow({ name: 'wide' })
      .start(fan)
      .join(collect, { from: fan })
      .edge(fan, work)
      .edge(work, collect)
      .build();
    const backend = new MemoryBackend();
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wide] });
    const worker = makeWorker({ backend, workflows: [wide], concurrency: 4 });
    await worker.start();
    const runId = await orchestrator.start(wide, 8);
    expect((await orchestrator.wait(runId, { timeoutMs: 10_000 })).output).toBe(8);
    expect(peak).toBe(4);
    expect(worker.stats.processed).toBe(10);
  });

  it('fails a run whose stored record is corrupt and keeps serving other runs', async () => {
    const Ctx = context({ hits: counter() });
    const counting = workflow({ name: 'counting', context: Ctx })
      .start(
        node({
          name: 'count',
          context: Ctx,
          process: (n: number, ctx) => {
            ctx.context.hits.add(1);
            return n;
          },
        }),
      )
      .build();
    const memory = new MemoryBackend();
    const corrupt = new Set<string>();
    const backend = wrapBackend(memory, {
      context: {
        get: (runId: string) => memory.context.get(runId),
        read: async (runId, request) => {
          if (corrupt.has(runId)) throw new CorruptRecordError(`context of run ${runId} is not valid JSON`);
          return memory.context.read(runId, request);
        },
      },
    });
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [counting] });
    const bad = await orchestrator.start(counting, 1, { runId: 'bad' });
    corrupt.add(bad);
    const worker = makeWorker({ backend, workflows: [counting] });
    await worker.start();
    const badInfo = await orchestrator.wait(bad, { timeoutMs: 10_000 });
    expect(badInfo).toMatchObject({ status: 'failed', error: { code: 'CORRUPT_RECORD' } });
    const good = await orchestrator.start(counting, 2);
    expect(await orchestrator.wait(good, { timeoutMs: 10_000 })).toMatchObject({
      status: 'completed',
      output: 2,
    });
    expect(await memory.context.get(good)).toMatchObject({ state: { hits: 1 }, version: 1 });
  });

  it('releases the item after a backend error mid-step and finishes it on a later lease', async () => {
    const Ctx = context({ hits: counter() });
    const counting = workflow({ name: 'counting', context: Ctx })
      .start(node({ name: 'count', context: Ctx, process: (n: number) => n }))
      .build();
    const memory = new MemoryBackend();
    let failures = 0;
    const backend = wrapBackend(memory, {
      context: {
        get: (runId: string) => memory.context.get(runId),
        read: async (runId, request) => {
          if (failures === 0) {
            failures += 1;
            throw new BackendError('connection reset', { retryable: true });
          }
          return memory.context.read(runId, request);
        },
      },
    });
    const orchestrator = new DistributedOrchestrator({ backend: memory, workflows: [counting] });
    const worker = makeWorker({ backend, workflows: [counting] });
    await worker.start();
    const runId = await orchestrator.start(counting, 6);
    expect(await orchestrator.wait(runId, { timeoutMs: 10_000 })).toMatchObject({
      status: 'completed',
      output: 6,
    });
    expect(failures).toBe(1);
    // The hand-back is visible (and counted toward `maxHandBacks`), but the run was not failed for it.
    expect((await orchestrator.errors(runId)).map((e) => [e.error.code, e.error.message])).toEqual([
      ['BACKEND', 'handed back: connection reset'],
    ]);
  });

  it('hands the item back when a backend call throws an unclassified error, instead of failing the run', async () => {
    const memory = new MemoryBackend();
    let failures = 0;
    const backend = wrapBackend(memory, {
      commit: async (step) => {
        if (failures === 0) {
          failures += 1;
          throw new TypeError('driver hiccup the backend did not translate');
        }
        return memory.commit(step);
      },
    });
    const wf = doubleWorkflow;
    const orchestrator = new DistributedOrchestrator({ backend: memory, workflows: [wf] });
    const worker = makeWorker({ backend, workflows: [wf] });
    await worker.start();
    const runId = await orchestrator.start(wf, 4);
    expect(await orchestrator.wait(runId, { timeoutMs: 10_000 })).toMatchObject({
      status: 'completed',
      output: 8,
    });
    expect(failures).toBe(1);
  });

  it('fails the step when its context operations cannot be applied (the same on every worker)', async () => {
    const Ctx = context({
      total: reducer(
        z.number(),
        (state: number, op: unknown) => {
          if (typeof op !== 'number') throw new Error('only numbers can be added');
          return state + op;
        },
        { initial: 0 },
      ),
    });
    const wf = workflow({ name: 'bad-ops', context: Ctx })
      .start(
        node({
          name: 'add',
          context: Ctx,
          process: (n: number, ctx) => (ctx.context.total.dispatch('x'), n),
        }),
      )
      .build();
    const backend = new MemoryBackend();
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
    const worker = makeWorker({ backend, workflows: [wf] });
    await worker.start();
    const runId = await orchestrator.start(wf, 1);
    const info = await orchestrator.wait(runId, { timeoutMs: 10_000 });
    expect(info.status).toBe('failed');
    expect((await orchestrator.errors(runId)).map((e) => e.error.message)).toContain(
      'only numbers can be added',
    );
  });

  it('backs off and keeps going when the backend fails to lease', async () => {
    const memory = new MemoryBackend();
    let failures = 0;
    const queue = wrapQueue(memory.queue, {
      lease: async (options) => {
        if (failures < 2) {
          failures += 1;
          throw new BackendError('connection reset', { retryable: true });
        }
        return memory.queue.lease(options);
      },
    });
    const backend = wrapBackend(memory, { queue });
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [doubleWorkflow] });
    const worker = makeWorker({ backend, workflows: [doubleWorkflow] });
    await worker.start();
    const runId = await orchestrator.start(doubleWorkflow, 4);
    expect(await orchestrator.wait(runId, { timeoutMs: 10_000 })).toMatchObject({
      status: 'completed',
      output: 8,
    });
    expect(failures).toBe(2);
    expect(worker.stats.errors).toBe(2);
  });

  it('aborts a node whose lease was lost without committing the abort as a failure', async () => {
    let runs = 0;
    let aborted = false;
    const slow = workflow({ name: 'slow' })
      .start(
        node({
          name: 'slow',
          process: async (n: number, ctx) => {
            runs += 1;
            if (runs > 1) return n;
            try {
              await abortableSleep(60_000, ctx.signal);
            } catch (error) {
              aborted = true;
              throw error;
            }
            return n;
          },
        }),
      )
      .build();
    const memory = new MemoryBackend();
    const losing = wrapBackend(memory, { queue: wrapQueue(memory.queue, { extend: async () => 'lost' }) });
    const orchestrator = new DistributedOrchestrator({ backend: memory, workflows: [slow] });
    const a = makeWorker({ backend: losing, workflows: [slow], leaseMs: 300 });
    await a.start();
    const runId = await orchestrator.start(slow, 4);
    await waitFor(() => aborted, { message: 'node aborted after the lease was lost' });
    await waitFor(() => a.currentItems.length === 0);
    expect(await orchestrator.errors(runId)).toEqual([]);
    expect(await orchestrator.status(runId)).toBe('running');
    await a.close();
    const b = makeWorker({ backend: memory, workflows: [slow] });
    await b.start();
    expect(await orchestrator.wait(runId, { timeoutMs: 10_000 })).toMatchObject({
      status: 'completed',
      output: 4,
    });
  });

  it('fails a run that overruns its deadline, aborting the running node', async () => {
    let sawAbort = false;
    const slow = workflow({ name: 'slow' })
      .start(
        node({
          name: 'slow',
          process: async (n: number, ctx) => {
            try {
              await abortableSleep(60_000, ctx.signal);
            } catch (error) {
              sawAbort = true;
              throw error;
            }
            return n;
          },
        }),
      )
      .build();
    const backend = new MemoryBackend();
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [slow] });
    const worker = makeWorker({ backend, workflows: [slow] });
    await worker.start();
    const runId = await orchestrator.start(slow, 1, { deadlineMs: 150 });
    const info = await orchestrator.wait(runId, { timeoutMs: 10_000 });
    expect(info).toMatchObject({ status: 'failed', error: { code: 'DEADLINE_EXCEEDED' } });
    expect(sawAbort).toBe(true);
  });

  it('rejects schema-invalid input at start without storing anything', async () => {
    const backend = new MemoryBackend();
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [doubleWorkflow] });
    await expect(
      orchestrator.start(doubleWorkflow, 'not a number' as unknown as number),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
    expect((await backend.runs.list()).runs).toEqual([]);
  });
});
