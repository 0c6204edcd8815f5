// Timer crash test: 3 worker processes, one SIGKILLed (and replaced) every ~500 ms for ~6 s, while 100 runs
// sleep on durable timers (1–1.9 s). Every run must wake once, not before its due time, and complete.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DistributedOrchestrator } from '@floxide/distributed';
import type { PostgresBackend } from './postgres-backend.js';
import { timerCrashDelayMs, timerCrashWorkflow } from './test-support/crash-workflow.js';
import {
  createTestBackend,
  destroyTestBackend,
  TEST_DATABASE_URL,
} from './test-support/postgres-test-init.js';

const WORKER_SCRIPT = fileURLToPath(new URL('./test-support/crash-worker.ts', import.meta.url));
const RUNS = 100;
const WORKERS = 3;
/** Clock slack between the database and this process (same host) plus timer granularity. */
const SLACK_MS = 150;

function spawnWorker(schema: string): ChildProcess {
  return spawn(process.execPath, ['--conditions=@floxide/source', '--import', 'tsx', WORKER_SCRIPT], {
    env: { ...process.env, FLOXIDE_SCHEMA: schema, DATABASE_URL: TEST_DATABASE_URL },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

describe('timer crash test: workers SIGKILLed while 100 runs sleep on durable timers', () => {
  let backend: PostgresBackend;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    backend = await createTestBackend();
  });

  afterAll(async () => {
    for (const child of workers) child.kill('SIGKILL');
    await Promise.all(workers.map(exited));
    await destroyTestBackend(backend);
  });

  it('wakes every run once, never early, and completes it', { timeout: 150_000 }, async () => {
    const wf = timerCrashWorkflow();
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
    for (let i = 0; i < WORKERS; i++) workers.push(spawnWorker(backend.schema));
    const runIds: string[] = [];
    for (let n = 0; n < RUNS; n++) runIds.push(await orchestrator.start(wf, n, { runId: `timer-${n}` }));

    let kills = 0;
    const chaosEnd = Date.now() + 6_000;
    while (Date.now() < chaosEnd) {
      await new Promise((resolve) => setTimeout(resolve, 350 + Math.random() * 300));
      const live = workers.filter((child) => child.exitCode === null && child.signalCode === null);
      const victim = live[Math.floor(Math.random() * live.length)];
      if (!victim) continue;
      victim.kill('SIGKILL');
      kills += 1;
      workers.push(spawnWorker(backend.schema));
    }
    expect(kills).toBeGreaterThanOrEqual(5);

    const infos = await Promise.all(runIds.map((runId) => orchestrator.wait(runId, { timeoutMs: 90_000 })));
    for (const [n, info] of infos.entries()) {
      expect(info.status, `${info.runId}: ${JSON.stringify(info.error)}`).toBe('completed');
      expect(info.output).toEqual({ n, hits: 2 });
      expect(info.waitingUntil).toBeUndefined();
      const [ctx, items, events] = await Promise.all([
        backend.context.get(info.runId),
        backend.items.list(info.runId),
        backend.events.read(info.runId, 0),
      ]);
      // Exact counter: an arm or a wake committed twice would have added twice.
      expect(ctx?.state).toEqual({ hits: 2 });
      expect(items.map((s) => [s.node, s.status])).toEqual([
        ['arm', 'completed'],
        ['wake', 'completed'],
      ]);
      const armed = events.find((e) => e.type === 'step.committed' && e.node === 'arm');
      expect(armed).toBeDefined();
      for (const start of events.filter((e) => e.type === 'step.started' && e.node === 'wake'))
        expect(start.at).toBeGreaterThanOrEqual((armed?.at ?? 0) + timerCrashDelayMs(n) - SLACK_MS);
    }
    const leftovers = await backend.queue.lease({ workerId: 'inspector', leaseMs: 1_000, max: 10 });
    expect(leftovers).toEqual([]);
  });
});
