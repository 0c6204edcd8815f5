// Signal crash test: 3 real worker processes, one SIGKILLed (and replaced) every ~500 ms for ~6 s, while 100
// runs wait on signals (every fourth with a 1.5–2.4 s timeout). Signals go out during the kills, each sent
// twice with one signal id; a quarter are sent before the run reaches its wait. Every run must finish once:
// by its signal, or by its timeout (never early), with nothing lost and no step committed twice.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { DistributedOrchestrator } from '@floxide/distributed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisBackend } from './redis-backend.js';
import { signalCrashTimeoutMs, signalCrashWorkflow } from './test-support/crash-workflow.js';
import { REDIS_URL, testPrefix } from './test-support/redis-test-backend.js';

const RUNS = 100;
const WORKERS = 3;
const CHAOS_MS = 6_000;
const KILL_EVERY_MS = 500;
/** Clock slack between the Redis server and this process (same host) plus timer granularity. */
const SLACK_MS = 150;
const WORKER_SCRIPT = fileURLToPath(new URL('./test-support/crash-worker.ts', import.meta.url));

const prefix = testPrefix('signal-crash');
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

describe('signal crash test: workers SIGKILLed while 100 runs wait on signals', () => {
  const wf = signalCrashWorkflow();
  let backend: RedisBackend;

  beforeAll(() => {
    backend = new RedisBackend({ connection: REDIS_URL, prefix });
  });

  afterAll(async () => {
    await killAll();
    await backend.destroyAllData();
    await backend.close();
  });

  it('finishes every run once, by its signal or its timeout', { timeout: 240_000 }, async () => {
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
    for (let i = 0; i < WORKERS; i += 1) spawnWorker();
    const runIds: string[] = [];
    for (let n = 0; n < RUNS; n += 1) {
      runIds.push(await orchestrator.start(wf, n, { runId: `signal-${n}` }));
      // Sent before the run reaches its wait: kept, and consumed by the park.
      if (n % 4 === 1) await orchestrator.signal(`signal-${n}`, 'go', { n }, { signalId: `go-${n}` });
    }
    const late = runIds.filter((_, n) => n % 4 >= 2);
    for (const runId of late) {
      await expect
        .poll(async () => (await orchestrator.get(runId)).status, { timeout: 120_000, interval: 50 })
        .toBe('waiting');
    }

    // Signals go out while workers die, each twice with one id (exactly once), spread over the chaos.
    const sending = (async () => {
      for (const runId of late) {
        const n = Number(runId.slice('signal-'.length));
        await orchestrator.signal(runId, 'go', { n }, { signalId: `go-${n}` });
        const again = await orchestrator.signal(runId, 'go', { n: -1 }, { signalId: `go-${n}` });
        expect(again.status).toBe('duplicate');
        await new Promise((r) => setTimeout(r, CHAOS_MS / late.length));
      }
    })();
    let kills = 0;
    const chaosEnd = Date.now() + CHAOS_MS;
    while (Date.now() < chaosEnd) {
      await new Promise((r) => setTimeout(r, KILL_EVERY_MS * (0.5 + Math.random())));
      const alive = [...children].filter((c) => c.exitCode === null && c.signalCode === null);
      const victim = alive[Math.floor(Math.random() * alive.length)];
      if (victim) {
        victim.kill('SIGKILL');
        kills += 1;
      }
      while (
        [...children].filter((c) => c.exitCode === null && c.signalCode === null && !c.killed).length <
        WORKERS
      )
        spawnWorker();
    }
    expect(kills).toBeGreaterThanOrEqual(5);
    await sending;

    const infos = await Promise.all(
      runIds.map((id) => orchestrator.wait(id, { signal: AbortSignal.timeout(120_000) })),
    );
    for (const [n, info] of infos.entries()) {
      expect(info.status, `run ${info.runId}: ${JSON.stringify(info.error)}`).toBe('completed');
      const timeoutMs = signalCrashTimeoutMs(n);
      const [ctx, pending, items, events] = await Promise.all([
        backend.context.get(info.runId),
        backend.queue.pending(info.runId),
        backend.items.list(info.runId),
        backend.events.read(info.runId, 0),
      ]);
      expect(pending).toEqual([]);
      if (timeoutMs === undefined) {
        expect(info.output).toEqual({ n, via: 'signal', hits: 2 });
        // Exact counter: a delivery or a `done` committed twice would have added twice.
        expect(ctx?.state).toEqual({ hits: 2 });
        expect(items.map((s) => [s.node, s.status])).toEqual([
          ['ask', 'completed'],
          ['done', 'completed'],
        ]);
      } else {
        expect(info.output).toEqual({ n, via: 'timeout', hits: 1 });
        expect(ctx?.state).toEqual({ hits: 1 });
        expect(items.map((s) => [s.node, s.status])).toEqual([
          ['ask', 'failed'],
          ['late', 'completed'],
        ]);
        // Never early: the fallback starts no sooner than the timeout after the first park.
        const asked = events.find((e) => e.type === 'step.started' && e.node === 'ask');
        const fallback = events.find((e) => e.type === 'step.started' && e.node === 'late');
        expect(fallback?.at).toBeGreaterThanOrEqual((asked?.at ?? 0) + timeoutMs - SLACK_MS);
      }
    }
  });
});
