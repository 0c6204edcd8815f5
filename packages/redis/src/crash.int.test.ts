// Crash test: 3 real worker processes on one prefix, one SIGKILLed (and restarted) every ~500 ms for ~10 s
// while 200 runs of a fan-out/join workflow with a context counter go through. Nothing may be lost,
// duplicated or left behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { DistributedOrchestrator } from '@floxide/distributed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisBackend } from './redis-backend.js';
import { CRASH_BRANCHES, crashWorkflow } from './test-support/crash-workflow.js';
import {
  closeTestBackend,
  openTestBackend,
  REDIS_URL,
  testPrefix,
} from './test-support/redis-test-backend.js';

const RUNS = 200;
const WORKERS = 3;
const CHAOS_MS = 10_000;
const KILL_EVERY_MS = 500;
const WORKER_SCRIPT = fileURLToPath(new URL('./test-support/crash-worker.ts', import.meta.url));

const prefix = testPrefix('crash');
const children = new Set<ChildProcess>();
/** Workers that printed "ready" (leasing): killing one still booting would hit no step. */
const ready = new WeakSet<ChildProcess>();

function spawnWorker(): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=@floxide/source', '--import', 'tsx', WORKER_SCRIPT], {
    env: { ...process.env, REDIS_URL, FLOXIDE_PREFIX: prefix },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.stdout?.on('data', (chunk: Buffer) => {
    if (chunk.toString().includes('ready')) ready.add(child);
  });
  return child;
}

async function killAll(): Promise<void> {
  await Promise.all(
    [...children].map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }),
  );
}

describe('crash test: workers SIGKILLed at random while 200 runs go through', () => {
  const wf = crashWorkflow();
  let backend: RedisBackend;

  beforeAll(() => {
    backend = openTestBackend({ prefix });
  });

  afterAll(async () => {
    await killAll();
    await backend.destroyAllData();
    await closeTestBackend(backend);
  });

  it('completes every run exactly once with the local engine’s output', { timeout: 150_000 }, async () => {
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
    for (let i = 0; i < WORKERS; i += 1) spawnWorker();

    const runIds: string[] = [];
    for (let i = 0; i < RUNS; i += 1) runIds.push(await orchestrator.start(wf, i));

    // Chaos: every ~500 ms one random leasing worker dies without warning and a fresh one replaces it, for
    // 10 s and at least 10 kills (on a loaded machine a fresh worker takes seconds to boot; at most 60 s).
    let kills = 0;
    const chaosEnd = Date.now() + CHAOS_MS;
    const chaosCap = Date.now() + 60_000;
    while ((Date.now() < chaosEnd || kills < 10) && Date.now() < chaosCap) {
      await new Promise((r) => setTimeout(r, KILL_EVERY_MS * (0.5 + Math.random())));
      const alive = [...children].filter((c) => c.exitCode === null && c.signalCode === null && ready.has(c));
      const victim = alive[Math.floor(Math.random() * alive.length)];
      if (victim) {
        const exited = once(victim, 'exit');
        victim.kill('SIGKILL');
        await exited;
        kills += 1;
      }
      while (children.size < WORKERS) spawnWorker();
    }
    expect(kills).toBeGreaterThanOrEqual(10);

    const infos = await Promise.all(
      runIds.map((id) => orchestrator.wait(id, { signal: AbortSignal.timeout(120_000) })),
    );

    // The local engine runs the same inputs in this process: the reference outputs.
    const expected = await Promise.all(runIds.map((_, i) => wf.run(i)));
    for (const [i, info] of infos.entries()) {
      expect(
        info.status,
        `run ${info.runId}: ${JSON.stringify(info.error)} ${JSON.stringify(await backend.errors.list(info.runId))}`,
      ).toBe('completed');
      expect(info.output).toEqual(expected[i]);
      expect((info.output as { hits: number }).hits).toBe(CRASH_BRANCHES);
    }
    let started = 0;
    for (const runId of runIds) {
      const [ctx, pending, items, metrics, events] = await Promise.all([
        backend.context.get(runId),
        backend.queue.pending(runId),
        backend.items.list(runId),
        backend.metrics.get(runId),
        backend.events.read(runId, 0),
      ]);
      started += events.filter((e) => e.type === 'step.started').length;
      // The counter is exact: a double commit would have added twice.
      expect(ctx?.state).toEqual({ hits: CRASH_BRANCHES });
      expect(ctx?.version).toBe(CRASH_BRANCHES);
      expect(pending).toEqual([]);
      expect(items.map((s) => s.status)).toEqual(items.map(() => 'completed'));
      expect(items).toHaveLength(4 + CRASH_BRANCHES);
      expect(metrics).toMatchObject({
        totalItems: 4 + CRASH_BRANCHES,
        completed: 4 + CRASH_BRANCHES,
        running: 0,
      });
    }
    // The kills did hit in-flight steps: some items were leased again after their worker died.
    expect(started).toBeGreaterThan(RUNS * (4 + CRASH_BRANCHES));
  });
});
