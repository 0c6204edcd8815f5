import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { context, counter, eventLog, node, reducer, workflow } from '@floxide/core';
import type { ContextReadRequest } from '../contracts/context-store.js';
import { MemoryBackend } from '../memory/memory-backend.js';
import { makeRun } from '../test-support/fixtures.js';
import { wrapBackend } from '../test-support/wrap-backend.js';
import { EventLogCache, readStepContext, rereadFields } from './step-context.js';

const Ctx = context({
  hits: counter(),
  seen: eventLog(z.string()),
  sum: reducer(z.number(), (s: number, op: number) => s + op, { initial: 0 }),
});
const wf = workflow({ name: 'test', context: Ctx })
  .start(node({ name: 'start', process: (n: number) => n }))
  .build();

function recording() {
  const memory = new MemoryBackend();
  const requests: ContextReadRequest[] = [];
  const backend = wrapBackend(memory, {
    context: {
      get: (runId) => memory.context.get(runId),
      read: (runId, request) => {
        requests.push(request);
        return memory.context.read(runId, request);
      },
    },
  });
  return { memory, backend, requests };
}

/** Commits the run's leased item with appends to `seen` and one successor (so the run stays open). */
async function append(memory: MemoryBackend, ids: string[]): Promise<void> {
  const [lease] = await memory.queue.lease({ workerId: 'w', leaseMs: 5_000 });
  if (!lease) throw new Error('no lease');
  const result = await memory.commit({
    lease,
    outcome: {
      kind: 'advance',
      transition: 'next',
      successors: [{ ...lease.item, itemId: `${lease.item.itemId}+`, node: 'start' }],
      joins: [],
      contextOps: [],
      durationMs: 0,
    },
    context: { fields: [{ kind: 'eventLog', field: 'seen', append: ids.map((id) => ({ id, event: id })) }] },
    at: Date.now(),
  });
  expect(result.status).toBe('committed');
}

describe('readStepContext', () => {
  it('reads every field but the logs, and of each log only the events the cache lacks', async () => {
    const { memory, backend, requests } = recording();
    await memory.startRun(makeRun('r', { context: wf.initialContext({ hits: 2 }) }));
    const cache = new EventLogCache();
    await append(memory, ['a', 'b']);
    const first = await readStepContext(backend, wf, 'r', cache);
    expect(first?.state).toEqual({
      hits: 2,
      sum: 0,
      seen: [
        { id: 'a', event: 'a' },
        { id: 'b', event: 'b' },
      ],
    });
    await append(memory, ['c']);
    const second = await readStepContext(backend, wf, 'r', cache);
    expect(requests.map((r) => ({ fields: r.fields, logs: r.logs }))).toEqual([
      { fields: ['hits', 'sum'], logs: { seen: 0 } },
      { fields: ['hits', 'sum'], logs: { seen: 2 } },
    ]);
    expect((second?.state['seen'] as { id: string }[]).map((e) => e.id)).toEqual(['a', 'b', 'c']);
    // Another worker (another cache) starts from the beginning.
    const other = await readStepContext(backend, wf, 'r', new EventLogCache());
    expect((other?.state['seen'] as unknown[]).length).toBe(3);
    expect(requests[2]?.logs).toEqual({ seen: 0 });
  });

  it('is undefined for a missing run; rereadFields refreshes only the named fields', async () => {
    const { memory, backend, requests } = recording();
    expect(await readStepContext(backend, wf, 'missing', new EventLogCache())).toBeUndefined();
    await memory.startRun(makeRun('r', { context: wf.initialContext() }));
    const step = await readStepContext(backend, wf, 'r', new EventLogCache());
    if (!step) throw new Error('no context');
    expect(await rereadFields(backend, wf, 'r', step, ['sum'])).toBe(true);
    expect(requests[requests.length - 1]).toMatchObject({ fields: ['sum'], logs: {} });
    expect(step.versions.get('sum')).toBe(0);
  });
});
