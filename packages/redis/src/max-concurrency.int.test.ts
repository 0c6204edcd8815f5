// maxConcurrency across a fleet: 3 real worker processes (8 slots each) on one prefix run 40 runs of a
// workflow limited to 2; the steps' start/end times show at most 2 ever ran at once, and 2 did.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { DistributedOrchestrator } from '@floxide/distributed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisBackend } from './redis-backend.js';
import { LIMITED_MAX_CONCURRENCY, limitedWorkflow, maxOverlap } from './test-support/crash-workflow.js';
import {
  closeTestBackend,
  openTestBackend,
  REDIS_URL,
  testPrefix,
} from './test-support/redis-test-backend.js';

const RUNS = 40;
const WORKER_SCRIPT = fileURLToPath(new URL('./test-support/crash-worker.ts', import.meta.url));
const prefix = testPrefix('limit');
const children: ChildProcess[] = [];

function spawnWorker(): Promise<void> {
  const child = spawn(process.execPath, ['--conditions=@floxide/source', '--import', 'tsx', WORKER_SCRIPT], {
    env: { ...process.env, REDIS_URL, FLOXIDE_PREFIX: prefix },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.once('exit', () => resolve());
  });
}

describe('maxConcurrency with 3 worker processes', () => {
  let backend: RedisBackend;

  beforeAll(() => {
    backend = openTestBackend({ prefix });
  });

  afterAll(async () => {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }),
    );
    await backend.destroyAllData();
    await closeTestBackend(backend);
  });

  it('never runs more steps of the workflow at once than its limit', { timeout: 120_000 }, async () => {
    const wf = limitedWorkflow();
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
    await Promise.all([spawnWorker(), spawnWorker(), spawnWorker()]);
    const runIds: string[] = [];
    for (let i = 0; i < RUNS; i += 1) runIds.push(await orchestrator.start(wf, i));
    const spans: { start: number; end: number }[] = [];
    for (const runId of runIds) {
      const info = await orchestrator.wait(runId, { timeoutMs: 60_000 });
      expect(info.status).toBe('completed');
      spans.push(info.output as { start: number; end: number });
    }
    expect(maxOverlap(spans)).toBe(LIMITED_MAX_CONCURRENCY);
  });
});
