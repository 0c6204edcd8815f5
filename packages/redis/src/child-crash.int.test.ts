// Child-run crash test: 3 real worker processes, one SIGKILLed (and replaced) every ~500 ms for ~4 s, while
// 30 parents (FLOXIDE_CHILD_CRASH_RUNS for more) wait on child runs (`subflow`). Every parent must complete
// with its child's output through exactly one child run, whose step was committed once; a child's result
// lost to a kill reaches its parent through the parent's periodic check (1 s here).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { checkChildCrash, childCrashWorkflows, WorkerFleet } from '@floxide/conformance/crash';
import { DistributedOrchestrator } from '@floxide/distributed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisBackend } from './redis-backend.js';
import { REDIS_URL, testPrefix } from './test-support/redis-test-backend.js';

const RUNS = Number(process.env['FLOXIDE_CHILD_CRASH_RUNS'] ?? 30);
const WORKER_SCRIPT = fileURLToPath(new URL('./test-support/crash-worker.ts', import.meta.url));

const prefix = testPrefix('child-crash');
const fleet = new WorkerFleet(
  () =>
    spawn(process.execPath, ['--conditions=@floxide/source', '--import', 'tsx', WORKER_SCRIPT], {
      env: { ...process.env, REDIS_URL, FLOXIDE_PREFIX: prefix },
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  3,
);

describe(`child-run crash test: workers SIGKILLed while ${RUNS} parents wait on child runs`, () => {
  const { parent } = childCrashWorkflows();
  let backend: RedisBackend;

  beforeAll(() => {
    backend = new RedisBackend({ connection: REDIS_URL, prefix });
  });

  afterAll(async () => {
    await fleet.killAll();
    await backend.destroyAllData();
    await backend.close();
  });

  it('completes every parent through one child run per attempt', { timeout: 180_000 }, async () => {
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [parent] });
    fleet.fill();
    const runIds: string[] = [];
    for (let n = 0; n < RUNS; n += 1)
      runIds.push(await orchestrator.start(parent, n, { runId: `child-${n}` }));
    const kills = await fleet.chaos({ chaosMs: 4_000, killEveryMs: 500 });
    expect(kills).toBeGreaterThanOrEqual(4);
    expect(await checkChildCrash(orchestrator, backend, runIds, 120_000)).toEqual([]);
  });
});
