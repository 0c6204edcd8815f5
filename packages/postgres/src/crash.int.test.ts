import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DistributedOrchestrator } from '@floxide/distributed';
import type { PostgresBackend } from './postgres-backend.js';
import { crashWorkflow } from './test-support/crash-workflow.js';
import { pgbouncerTestUrl } from './test-support/pgbouncer-test-url.js';
import {
  createTestBackend,
  destroyTestBackend,
  TEST_DATABASE_URL,
} from './test-support/postgres-test-init.js';

const WORKER_SCRIPT = fileURLToPath(new URL('./test-support/crash-worker.ts', import.meta.url));
const RUNS = 200;
const WORKERS = 3;

/** Worker processes that printed `ready` (they are polling, maybe mid-step). */
const ready = new WeakSet<ChildProcess>();

/** Spawns one worker process; `booted` resolves once it is polling. */
function spawnWorker(schema: string): { child: ChildProcess; booted: Promise<void> } {
  // In the pgbouncer project the workers go through the pooler with no LISTEN connection at all (polling).
  const pooled = pgbouncerTestUrl();
  const connection =
    pooled === undefined
      ? { DATABASE_URL: TEST_DATABASE_URL }
      : { DATABASE_URL: pooled, FLOXIDE_TRANSACTION_POOLER: '1' };
  const child = spawn(process.execPath, ['--conditions=@floxide/source', '--import', 'tsx', WORKER_SCRIPT], {
    env: { ...process.env, FLOXIDE_SCHEMA: schema, ...connection },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const booted = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (!chunk.toString().includes('ready')) return;
      ready.add(child);
      resolve();
    });
    child.once('exit', () => resolve());
  });
  return { child, booted };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

describe('crash test: 3 worker processes, SIGKILLed at random, 200 runs', () => {
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

  it('completes every run with the local engine’s output, exact counters and nothing left claimed', async () => {
    const wf = crashWorkflow();
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
    const first = Array.from({ length: WORKERS }, () => spawnWorker(backend.schema));
    workers.push(...first.map((w) => w.child));
    await Promise.all(first.map((w) => w.booted));
    const runIds: string[] = [];
    for (let n = 0; n < RUNS; n++) runIds.push(await orchestrator.start(wf, n, { runId: `crash-${n}` }));

    // ~10 s of chaos: every ~500 ms one random live worker process is SIGKILLed, mid-step or still booting
    // (booting takes a second or two on a busy machine), and a replacement is spawned at once.
    let kills = 0;
    let killsWhileWorking = 0;
    const chaosEnd = Date.now() + 10_000;
    while (Date.now() < chaosEnd) {
      await new Promise((resolve) => setTimeout(resolve, 350 + Math.random() * 300));
      const live = workers.filter((child) => child.exitCode === null && child.signalCode === null);
      const victim = live[Math.floor(Math.random() * live.length)];
      if (!victim) continue;
      if (ready.has(victim)) killsWhileWorking += 1;
      victim.kill('SIGKILL');
      kills += 1;
      workers.push(spawnWorker(backend.schema).child);
    }
    expect(kills).toBeGreaterThanOrEqual(15);
    expect(killsWhileWorking).toBeGreaterThanOrEqual(3);

    const infos = await Promise.all(
      runIds.map((runId) => orchestrator.wait(runId, { timeoutMs: 90_000, pollMs: 200 })),
    );
    for (const [n, info] of infos.entries()) {
      if (info.status !== 'completed') {
        const errors = await backend.errors.list(info.runId);
        const items = await backend.items.list(info.runId);
        expect.fail(`${info.runId} ${info.status}: ${JSON.stringify({ error: info.error, errors, items })}`);
      }
      const local = await wf.run(n);
      expect(info.output).toEqual(local);
      const width = 3 + (n % 4);
      expect(info.output).toMatchObject({ hits: width });
      expect((await backend.context.get(info.runId))?.state).toEqual({ hits: width });
    }
    const leftovers = await backend.queue.lease({ workerId: 'inspector', leaseMs: 1_000, max: 10 });
    expect(leftovers).toEqual([]);
    for (const runId of runIds) {
      expect(await backend.queue.pending(runId)).toEqual([]);
      expect((await backend.metrics.get(runId))?.running).toBe(0);
      expect((await backend.items.list(runId)).every((item) => item.status === 'completed')).toBe(true);
    }
    const open = await backend.runs.list({ status: 'running' });
    expect(open.runs).toEqual([]);

    const done = await backend.runs.list({ status: 'completed', limit: RUNS + 1 });
    expect(done.runs).toHaveLength(RUNS);
    for (const child of workers) child.kill('SIGTERM');
    await Promise.all(workers.map(exited));
  }, 150_000);
});
