// Finished-run records: a run's final feed entry carries its record, handed to onRunsFinished listeners by
// the read that meets it, so `wait` resolves without reading the run; a record too large rides along
// nowhere and the run is read as before.
import { afterEach, describe, expect, it } from 'vitest';
import { node, workflow } from '@floxide/core';
import { DistributedOrchestrator, DistributedWorker, type RunInfo } from '@floxide/distributed';
import type { RedisBackend } from './redis-backend.js';
import { createTestBackend, destroyTestBackend } from './test-support/redis-test-backend.js';

const double = node({ name: 'double', process: (n: number) => n * 2 });
const wf = workflow({ name: 'finished-records', version: 1 }).start(double).build();
const echo = node({ name: 'echo', process: (text: string) => text });
const big = workflow({ name: 'finished-records-big', version: 1 }).start(echo).build();

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(workflows: Parameters<typeof createOrchestrator>[1]) {
  const backend = createTestBackend('records');
  cleanups.push(() => destroyTestBackend(backend));
  const orchestrator = createOrchestrator(backend, workflows);
  const worker = new DistributedWorker({ backend, workflows, idleWaitMs: 200 });
  cleanups.push(() => worker.close({ graceMs: 1_000 }));
  const records: RunInfo[] = [];
  const stop = backend.feed.onRunsFinished((runIds, runs) => {
    expect(runs?.map((run) => run.runId)).toEqual(runIds);
    records.push(...(runs ?? []));
  });
  cleanups.push(async () => stop());
  return { backend, orchestrator, worker, records };
}

function createOrchestrator(backend: RedisBackend, workflows: (typeof wf | typeof big)[]) {
  return new DistributedOrchestrator({ backend, workflows });
}

describe('redis finished-run records on the feed', () => {
  it('a read hands over the final record of a completed and a cancelled run, as runs.get reads it', async () => {
    const { backend, orchestrator, worker, records } = await setup([wf]);
    const head = await backend.feed.head();
    const cancelled = await orchestrator.start(wf, 1);
    await orchestrator.cancel(cancelled);
    const completed = await orchestrator.start(wf, 21);
    await worker.start();
    expect(await orchestrator.wait(completed, { timeoutMs: 20_000 })).toMatchObject({ output: 42 });
    records.length = 0;
    // Reading the feed from before both runs meets both final entries: one record each, nothing else.
    const page = await backend.feed.read(head);
    const finals = page.events.filter((e) => e.status === 'completed' || e.status === 'cancelled');
    expect(finals.map((e) => e.runId).sort()).toEqual([cancelled, completed].sort());
    expect(records.map((run) => run.runId).sort()).toEqual([cancelled, completed].sort());
    const byId = new Map(records.map((run) => [run.runId, run]));
    expect(byId.get(completed)).toEqual(await backend.runs.get(completed));
    expect(byId.get(cancelled)).toEqual(await backend.runs.get(cancelled));
    expect(byId.get(cancelled)?.status).toBe('cancelled');
  }, 60_000);

  it('a record over 8,000 bytes is not carried, and wait still resolves by reading the run', async () => {
    const { backend, orchestrator, worker, records } = await setup([big]);
    const head = await backend.feed.head();
    const text = 'x'.repeat(9_000);
    const runId = await orchestrator.start(big, text);
    const waiting = orchestrator.wait(runId, { timeoutMs: 20_000 });
    await worker.start();
    expect(await waiting).toMatchObject({ runId, status: 'completed', output: text });
    records.length = 0;
    const page = await backend.feed.read(head);
    expect(page.events.some((e) => e.runId === runId && e.status === 'completed')).toBe(true);
    expect(records).toEqual([]);
  }, 60_000);
});
