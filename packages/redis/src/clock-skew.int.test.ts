// Due times come from the Redis server clock. A successor committed while its run was paused used to be
// stamped with the committing worker's clock and turned back into a BullMQ delay by the resuming process:
// a worker one hour fast made it run an hour late. The skewed worker is a real process whose whole clock
// (BullMQ's included) is off; once it committed, it stops and a worker with a right clock carries on.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { DistributedOrchestrator, DistributedWorker } from '@floxide/distributed';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisBackend } from './redis-backend.js';
import { REDIS_URL, testPrefix } from './test-support/redis-test-backend.js';
import { skewWorkflow } from './test-support/skew-workflow.js';

const WORKER_SCRIPT = fileURLToPath(new URL('./test-support/skewed-worker.ts', import.meta.url));
const HOUR = 3_600_000;

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a worker whose clock is off by an hour', () => {
  const children: ChildProcess[] = [];
  const opened: RedisBackend[] = [];
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    for (const child of children.splice(0)) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
    for (const backend of opened.splice(0)) {
      await backend.destroyAllData();
      await backend.close();
    }
  });

  for (const skew of [HOUR, -HOUR]) {
    it(
      `runs the successors of a resumed run on time (worker clock ${skew > 0 ? '+' : '-'}1 h)`,
      { timeout: 60_000 },
      async () => {
        const prefix = testPrefix('skew');
        const backend = new RedisBackend({ connection: REDIS_URL, prefix, sweepIntervalMs: 0 });
        opened.push(backend);
        const child = spawn(
          process.execPath,
          ['--conditions=@floxide/source', '--import', 'tsx', WORKER_SCRIPT],
          {
            env: { ...process.env, REDIS_URL, FLOXIDE_PREFIX: prefix, FLOXIDE_CLOCK_SKEW_MS: String(skew) },
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        );
        children.push(child);
        const wf = skewWorkflow();
        const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
        const runId = await orchestrator.start(wf, 600);
        await until('the slow step to start', async () =>
          (await backend.items.list(runId)).some((i) => i.status === 'running'),
        );
        await orchestrator.pause(runId);
        // The skewed worker commits the step while the run is paused: its successor is parked.
        await until('the slow step to commit', async () =>
          (await backend.items.list(runId)).some((i) => i.node === 'after'),
        );
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
        const worker = new DistributedWorker({ backend, workflows: [wf], concurrency: 2, idleWaitMs: 100 });
        closers.push(() => worker.close());
        await worker.start();
        const resumedAt = Date.now();
        await orchestrator.resume(runId);
        const info = await orchestrator.wait(runId, { timeoutMs: 10_000 });
        expect(info).toMatchObject({ status: 'completed', output: { slept: 600 } });
        expect(Date.now() - resumedAt).toBeLessThan(5_000);
      },
    );
  }
});
