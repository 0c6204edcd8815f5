// Timer crash test: 3 real worker processes, one SIGKILLed (and replaced) every ~500 ms for ~6 s, while 100
// runs sleep on durable timers (1–1.9 s). Every run must wake once, not before its due time, and complete.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { DistributedOrchestrator } from '@floxide/distributed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisBackend } from './redis-backend.js';
import { timerCrashDelayMs, timerCrashWorkflow } from './test-support/crash-workflow.js';
import { REDIS_URL, testPrefix } from './test-support/redis-test-backend.js';

const RUNS = 100;
const WORKERS = 3;
const CHAOS_MS = 6_000;
const KILL_EVERY_MS = 500;
/** Clock slack between the Redis server and this process (same host) plus timer granularity. */
const SLACK_MS = 150;
const WORKER_SCRIPT = fileURLToPath(new URL('./test-support/crash-worker.ts', import.meta.url));

const prefix = testPrefix('timer-crash');
const children = new Set<ChildProcess>();

function spawnWorker(): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=@floxide/source', '--import', 'tsx', WORKER_SCRIPT], {
    env: { ...process.env, REDIS_URL, FLOXIDE_PREFIX: prefix },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
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

describe('timer crash test: workers SIGKILLed while 100 runs sleep on durable timers', () => {
  const wf = timerCrashWorkflow();
  let backend: RedisBackend;

  beforeAll(() => {
    backend = new RedisBackend({ connection: REDIS_URL, prefix });
  });

  afterAll(async () => {
    await killAll();
    await backend.destroyAllData();
    await backend.close();
  });

  it('wakes every run once, never early, and completes it', { timeout: 150_000 }, async () => {
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
    for (let i = 0; i < WORKERS; i += 1) spawnWorker();
    const runIds: string[] = [];
    for (let i = 0; i < RUNS; i += 1) runIds.push(await orchestrator.start(wf, i));

    let kills = 0;
    const chaosEnd = Date.now() + CHAOS_MS;
    while (Date.now() < chaosEnd) {
      await new Promise((r) => setTimeout(r, KILL_EVERY_MS * (0.5 + Math.random())));
      const alive = [...children].filter((c) => c.exitCode === null && c.signalCode === null);
      const victim = alive[Math.floor(Math.random() * alive.length)];
      if (victim) {
        const exited = once(victim, 'exit');
        victim.kill('SIGKILL');
        await exited;
        kills += 1;
      }
      while (children.size < WORKERS) spawnWorker();
    }
    expect(kills).toBeGreaterThanOrEqual(5);

    const infos = await Promise.all(
      runIds.map((id) => orchestrator.wait(id, { signal: AbortSignal.timeout(120_000) })),
    );
    for (const [i, info] of infos.entries()) {
      expect(info.status, `run ${info.runId}: ${JSON.stringify(info.error)}`).toBe('completed');
      expect(info.output).toEqual({ n: i, hits: 2 });
      expect(info.waitingUntil).toBeUndefined();
    }
    for (const [i, runId] of runIds.entries()) {
      const [ctx, pending, items, events] = await Promise.all([
        backend.context.get(runId),
        backend.queue.pending(runId),
        backend.items.list(runId),
        backend.events.read(runId, 0),
      ]);
      // Exact counter: an arm or a wake committed twice would have added twice.
      expect(ctx?.state).toEqual({ hits: 2 });
      expect(pending).toEqual([]);
      expect(items.map((s) => [s.node, s.status])).toEqual([
        ['arm', 'completed'],
        ['wake', 'completed'],
      ]);
      const armed = events.find((e) => e.type === 'step.committed' && e.node === 'arm');
      const woke = events.filter((e) => e.type === 'step.started' && e.node === 'wake');
      expect(armed).toBeDefined();
      expect(woke.length).toBeGreaterThanOrEqual(1);
      // Never early: the first wake-up starts no sooner than the timer's due time.
      for (const start of woke)
        expect(start.at).toBeGreaterThanOrEqual((armed?.at ?? 0) + timerCrashDelayMs(i) - SLACK_MS);
    }
  });
});
