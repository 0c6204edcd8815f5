// maxConcurrency across a fleet: 3 real worker processes (4 slots each) on one schema run 40 runs of a
// workflow limited to 2; the steps' start/end times show at most 2 ever ran at once, and 2 did.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DistributedOrchestrator } from '@floxide/distributed';
import type { PostgresBackend } from './postgres-backend.js';
import { LIMITED_MAX_CONCURRENCY, limitedWorkflow, maxOverlap } from './test-support/crash-workflow.js';
import { pgbouncerTestUrl } from './test-support/pgbouncer-test-url.js';
import {
  createTestBackend,
  destroyTestBackend,
  TEST_DATABASE_URL,
} from './test-support/postgres-test-init.js';

const WORKER_SCRIPT = fileURLToPath(new URL('./test-support/crash-worker.ts', import.meta.url));
const RUNS = 40;
const workers: ChildProcess[] = [];

function spawnWorker(schema: string): Promise<void> {
  const pooled = pgbouncerTestUrl();
  const connection =
    pooled === undefined
      ? { DATABASE_URL: TEST_DATABASE_URL }
      : { DATABASE_URL: pooled, FLOXIDE_TRANSACTION_POOLER: '1' };
  const child = spawn(process.execPath, ['--conditions=@floxide/source', '--import', 'tsx', WORKER_SCRIPT], {
    env: { ...process.env, FLOXIDE_SCHEMA: schema, ...connection },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  workers.push(child);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.once('exit', () => resolve());
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

describe('maxConcurrency with 3 worker processes', () => {
  let backend: PostgresBackend;

  beforeAll(async () => {
    backend = await createTestBackend();
  });

  afterAll(async () => {
    for (const child of workers) child.kill('SIGKILL');
    await Promise.all(workers.map(exited));
    await destroyTestBackend(backend);
  });

  it('never runs more steps of the workflow at once than its limit', { timeout: 120_000 }, async () => {
    const wf = limitedWorkflow();
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
    await Promise.all([0, 1, 2].map(() => spawnWorker(backend.schema)));
    const runIds: string[] = [];
    for (let i = 0; i < RUNS; i += 1) runIds.push(await orchestrator.start(wf, i));
    const spans: { start: number; end: number }[] = [];
    for (const runId of runIds) {
      const info = await orchestrator.wait(runId, { timeoutMs: 60_000, pollMs: 200 });
      expect(info.status).toBe('completed');
      spans.push(info.output as { start: number; end: number });
    }
    expect(maxOverlap(spans)).toBe(LIMITED_MAX_CONCURRENCY);
  });
});
