// Finished-run records (migration 0014_finished_run_records): the final run record rides on the feed's
// notification, so `wait` resolves without reading the run; a record too large for a notification falls
// back to the finished-run ids of 0006.
import { afterEach, describe, expect, it } from 'vitest';
import { node, workflow } from '@floxide/core';
import { waitFor } from '@floxide/conformance';
import { DistributedOrchestrator, DistributedWorker, type RunInfo } from '@floxide/distributed';
import type { PostgresBackend } from './postgres-backend.js';
import { parseFinishedRecord } from './postgres-change-feed.js';
import { createTestBackend, destroyTestBackend } from './test-support/postgres-test-init.js';

const double = node({ name: 'double', process: (n: number) => n * 2 });
const wf = workflow({ name: 'finished-records', version: 1 }).start(double).build();
const echo = node({ name: 'echo', process: (text: string) => text.length });
const big = workflow({ name: 'finished-records-big', version: 1 }).start(echo).build();

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Every hint the backend's feed hands over, in arrival order. */
function collectHints(backend: PostgresBackend): { ids: string[][]; records: RunInfo[] } {
  const seen = { ids: [] as string[][], records: [] as RunInfo[] };
  const stop = backend.feed.onRunsFinished((runIds, runs) => {
    if (runs) seen.records.push(...runs);
    else seen.ids.push([...runIds]);
  });
  cleanups.push(async () => stop());
  return seen;
}

describe('postgres finished-run records', () => {
  it('hands over the committed final record of a completed and of a cancelled run, as runs.get reads it', async () => {
    const backend: PostgresBackend = await createTestBackend();
    cleanups.push(() => destroyTestBackend(backend));
    const hints = collectHints(backend);
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
    const worker = new DistributedWorker({ backend, workflows: [wf], idleWaitMs: 200 });
    cleanups.push(() => worker.close({ graceMs: 1_000 }));
    const cancelled = await orchestrator.start(wf, 1);
    await orchestrator.cancel(cancelled);
    const completed = await orchestrator.start(wf, 21);
    await worker.start();
    await orchestrator.wait(completed, { timeoutMs: 20_000 });
    await waitFor(() => hints.records.length >= 2);
    const byId = new Map(hints.records.map((run) => [run.runId, run]));
    expect(byId.get(completed)).toEqual(await backend.runs.get(completed));
    expect(byId.get(completed)).toMatchObject({ status: 'completed', output: 42 });
    expect(byId.get(cancelled)).toEqual(await backend.runs.get(cancelled));
    expect(byId.get(cancelled)?.status).toBe('cancelled');
    // Each run's record came once; the ids hint of the same commit was dropped, its record had come.
    expect(hints.records.filter((run) => run.runId === completed)).toHaveLength(1);
    expect(hints.ids.flat()).not.toContain(completed);
  }, 60_000);

  it('a record too large for a notification is named by id only, and wait still resolves', async () => {
    const backend: PostgresBackend = await createTestBackend();
    cleanups.push(() => destroyTestBackend(backend));
    const hints = collectHints(backend);
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [big] });
    const worker = new DistributedWorker({ backend, workflows: [big], idleWaitMs: 200 });
    cleanups.push(() => worker.close({ graceMs: 1_000 }));
    const runId = await orchestrator.start(big, 'x'.repeat(10_000));
    const waiting = orchestrator.wait(runId, { timeoutMs: 20_000 });
    await worker.start();
    expect(await waiting).toMatchObject({ runId, status: 'completed', output: 10_000 });
    await waitFor(() => hints.ids.flat().includes(runId));
    expect(hints.records.map((run) => run.runId)).not.toContain(runId);
  }, 60_000);
});

describe('parseFinishedRecord', () => {
  it('reads a final run record; anything else (ids, empty, malformed, not final) is no record', () => {
    const run = { runId: 'r:1', workflow: 'w', version: 1, status: 'completed', input: 1, createdAt: 5 };
    expect(parseFinishedRecord(JSON.stringify({ run }))).toEqual(run);
    expect(parseFinishedRecord('["r:1"]')).toBeUndefined();
    expect(parseFinishedRecord('')).toBeUndefined();
    expect(parseFinishedRecord('{"run": not json')).toBeUndefined();
    expect(parseFinishedRecord(JSON.stringify({ run: { ...run, status: 'running' } }))).toBeUndefined();
    expect(parseFinishedRecord(JSON.stringify({ run: { ...run, version: 'one' } }))).toBeUndefined();
    expect(parseFinishedRecord(JSON.stringify({ run: { status: 'completed' } }))).toBeUndefined();
  });
});
