// Wide fan-outs (issue 11 §1): a fan-out step's commit used to write every branch in one script, which at
// 100,000 branches outran Redis's 5 s script limit (every other client got BUSY). The successors are now
// staged, the commit registers them in constant work, and bounded batches materialise them; a drain cut
// short by a SIGKILL is carried on by another process's sweeper without losing or duplicating a branch.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Lease, StepCommit } from '@floxide/distributed';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { jobIdOf } from './item-codec.js';
import { RedisBackend } from './redis-backend.js';
import { fanOutCommit, fanOutItem } from './test-support/fanout-items.js';
import { REDIS_URL, testPrefix } from './test-support/redis-test-backend.js';

const WORKER_SCRIPT = fileURLToPath(new URL('./test-support/fanout-commit-worker.ts', import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Waits until no fan-out of the run is registered and BullMQ holds `expected` of its branch jobs. */
async function drained(client: Redis, fanouts: string, jobs: () => Promise<number>, expected: number) {
  const until = Date.now() + 120_000;
  while ((await client.hlen(fanouts)) > 0 || (await jobs()) < expected) {
    if (Date.now() > until) throw new Error('the fan-out was not drained');
    await sleep(20);
  }
}

describe('a wide fan-out on Redis', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
  });

  /** A backend and a plain client and queue on one fresh prefix, removed after the test. */
  function setup(label: string, options: { fanoutLeaseMs?: number; fanoutBatch?: number } = {}) {
    const prefix = testPrefix(label);
    const backend = new RedisBackend({
      connection: REDIS_URL,
      prefix,
      sweepIntervalMs: 0,
      sweepGraceMs: 0,
      ...options,
    });
    const client = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const lane = backend.bullQueueName('wf', 1);
    const queue = new Queue(lane, { connection: client, prefix: backend.keys.bullPrefix(lane) });
    cleanup.push(
      async () => {
        await backend.close();
        const cleaner = new RedisBackend({ connection: REDIS_URL, prefix });
        await cleaner.destroyAllData();
        await cleaner.close();
      },
      () => client.quit(),
      () => queue.close(),
    );
    const key = (runId: string, name: string) =>
      `${backend.keys.run(runId, 'run').slice(0, -'run'.length)}${name}`;
    /** BullMQ jobs of the branches (a killed process may leave the fan-out's own job active meanwhile). */
    const jobs = async (runId = 'w') => {
      const c = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized');
      const start = (await queue.getJob(jobIdOf(fanOutItem(runId, 'start', 'fan')))) ? 1 : 0;
      return Object.values(c).reduce((a, b) => a + b, 0) - start;
    };
    return { prefix, backend, client, queue, key, jobs };
  }

  async function startFanOutRun(backend: RedisBackend, runId: string): Promise<void> {
    await backend.startRun({
      runId,
      workflow: 'wf',
      version: 1,
      input: 1,
      context: {},
      startItem: fanOutItem(runId, 'start', 'fan'),
      createdAt: 1,
    });
  }

  it(
    'commits 100,000 branches without holding Redis (no BUSY), each branch queued once',
    { timeout: 300_000 },
    async () => {
      const { backend, client, key, jobs } = setup('wide100k');
      await startFanOutRun(backend, 'w');
      const [lease] = await backend.queue.lease({ workerId: 'w', leaseMs: 120_000, waitMs: 5_000 });
      // Another client keeps asking the server something while the commit runs: a long script answers BUSY.
      const probe = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
      cleanup.push(() => probe.quit());
      const busy: string[] = [];
      let maxPingMs = 0;
      let probing = true;
      const probing$ = (async () => {
        while (probing) {
          const t = performance.now();
          await probe.ping().catch((error: Error) => busy.push(error.message));
          maxPingMs = Math.max(maxPingMs, performance.now() - t);
          await sleep(20);
        }
      })();
      const result = await backend.commit(fanOutCommit(lease as Lease, 'w', 100_000));
      expect(result).toEqual({ status: 'committed', runStatus: 'running' });
      // The commit returns once the fan-out is registered; its batches are materialised in the background.
      await drained(client, key('w', 'fanouts'), () => jobs(), 100_000);
      probing = false;
      await probing$;
      expect(busy).toEqual([]);
      console.info(`100,000-branch commit: slowest concurrent PING ${maxPingMs.toFixed(0)} ms`);
      expect(await client.llen(key('w', 'order'))).toBe(100_001);
      expect(await client.hlen(key('w', 'live'))).toBe(100_000);
      expect(await client.hlen(key('w', 'fanouts'))).toBe(0);
      expect(await client.hget(key('w', 'run'), 'wide')).toBeNull();
      expect(await jobs()).toBe(100_000);
    },
  );

  it(
    'the committing process does not hold the successors while they are drained',
    { timeout: 120_000 },
    async () => {
      // 100,000 successors held for the whole drain (the commit awaited it, and its caller the commit) kept
      // ~30 MB live in the worker that ran the fan-out step; V8 then let that worker's heap grow to several
      // times its live size until the drain ended.
      const { backend, client, key, jobs } = setup('widefree', { fanoutBatch: 100 });
      await startFanOutRun(backend, 'f');
      const [lease] = await backend.queue.lease({ workerId: 'w', leaseMs: 120_000, waitMs: 5_000 });
      const branches = 20_000;
      let step: StepCommit | undefined = fanOutCommit(lease as Lease, 'f', branches);
      const successors = new WeakRef(step.outcome.kind === 'advance' ? step.outcome.successors : []);
      const committed = backend.commit(step);
      step = undefined;
      expect(await committed).toEqual({ status: 'committed', runStatus: 'running' });
      // 200 batches of 100: the drain is still going when the commit returns…
      expect(await client.hlen(key('f', 'fanouts'))).toBe(1);
      // …and nothing of this process holds the successors any more.
      gc();
      expect(successors.deref()).toBeUndefined();
      await drained(client, key('f', 'fanouts'), () => jobs('f'), branches);
      expect(await client.hlen(key('f', 'live'))).toBe(branches);
    },
  );

  it('a wide fan-out with a value JSON cannot carry fails typed and non-retryable, and stores nothing', async () => {
    const { backend, client, key } = setup('wideenc', { fanoutBatch: 10 });
    await startFanOutRun(backend, 'e');
    const [lease] = await backend.queue.lease({ workerId: 'w', leaseMs: 30_000, waitMs: 5_000 });
    const step = fanOutCommit(lease as Lease, 'e', 30);
    const successors = (step.outcome.kind === 'advance' ? step.outcome.successors : []) as unknown[];
    successors[25] = { ...(successors[25] as object), input: 10n };
    await expect(backend.commit(step)).rejects.toMatchObject({ code: 'BACKEND', retryable: false });
    const keys = await client.keys(key('e', '*'));
    expect(keys.filter((k) => k.includes(':stage:') || k.endsWith(':fanouts'))).toEqual([]);
    expect(await client.llen(key('e', 'order'))).toBe(1);
  });

  /** Spawns a process that commits a wide fan-out of run `runId`, and SIGKILLs it after its first batches. */
  async function killMidDrain(
    prefix: string,
    runId: string,
    branches: number,
    client: Redis,
    key: (runId: string, name: string) => string,
  ): Promise<void> {
    const child: ChildProcess = spawn(
      process.execPath,
      ['--conditions=@floxide/source', '--import', 'tsx', WORKER_SCRIPT],
      {
        env: {
          ...process.env,
          REDIS_URL,
          FLOXIDE_PREFIX: prefix,
          FANOUT_RUN: runId,
          FANOUT_BRANCHES: String(branches),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    cleanup.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    await new Promise<void>((resolve) => lines.on('line', (l) => l === 'committing' && resolve()));
    // Kill once the commit is registered and some, not all, batches are materialised: the registered stage
    // list holds every branch until the drain takes batches from its head. (The run's `live` hash is no
    // sign of a batch: it already holds the run's items from before the fan-out, so waiting for it let a
    // slow drain be killed before its first batch, all 20,000 branches still staged.)
    const deadline = Date.now() + 60_000;
    let registered = false;
    for (;;) {
      const [token] = await client.hkeys(key(runId, 'fanouts'));
      if (token !== undefined) {
        registered = true;
        const staged = await client.llen(key(runId, `stage:${token}`));
        if (staged > 0 && staged < branches) break;
      } else if (registered) {
        throw new Error('the drain finished before it could be killed between batches');
      }
      if (Date.now() > deadline) throw new Error('the fan-out was never registered');
      await sleep(2);
    }
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  it(
    'a drain SIGKILLed between batches is carried on by another process: no branch lost or doubled',
    { timeout: 360_000 },
    async () => {
      const branches = 20_000;
      const { prefix, backend, client, key, jobs } = setup('widecrash', { fanoutLeaseMs: 1_000 });
      await startFanOutRun(backend, 'c');
      await killMidDrain(prefix, 'c', branches, client, key);
      const [token] = await client.hkeys(key('c', 'fanouts'));
      const leftAtKill = await client.llen(key('c', `stage:${token as string}`));
      expect(leftAtKill).toBeGreaterThan(0);
      expect(leftAtKill).toBeLessThan(branches);

      // This process's sweeper finds the registration, waits out the dead drain's lease and carries on; then
      // re-sends outbox entries whose hand-off died with the process.
      const until = Date.now() + 240_000;
      while ((await client.hlen(key('c', 'fanouts'))) > 0 || (await jobs('c')) < branches) {
        if (Date.now() > until) throw new Error('the fan-out was not carried on');
        await backend.queue.sweep();
        await sleep(100);
      }
      const order = await client.lrange(key('c', 'order'), 0, -1);
      expect(order.length).toBe(branches + 1);
      expect(new Set(order).size).toBe(branches + 1);
      expect(await client.hlen(key('c', 'live'))).toBe(branches);
      expect(await client.hget(key('c', 'run'), 'wide')).toBeNull();
      // One BullMQ job per branch: none lost with the dead process, none added twice.
      expect(await jobs('c')).toBe(branches);
      console.info(`fan-out drain killed with ${leftAtKill} of ${branches} branches staged; carried on`);
    },
  );
  it(
    'carried on while its run is paused, the rest is parked (none reaches BullMQ); resume queues all of it',
    { timeout: 360_000 },
    async () => {
      const branches = 5_000;
      const { prefix, backend, client, key, jobs } = setup('widepause', { fanoutLeaseMs: 1_000 });
      await startFanOutRun(backend, 'p');
      await killMidDrain(prefix, 'p', branches, client, key);
      await backend.control('p', 'pause');
      const before = await client.hlen(key('p', 'live'));
      expect(before).toBeLessThan(branches);
      const until = Date.now() + 240_000;
      while ((await client.hlen(key('p', 'fanouts'))) > 0) {
        if (Date.now() > until) throw new Error('the fan-out was not carried on');
        await backend.queue.sweep();
        await sleep(100);
      }
      expect(await client.hlen(key('p', 'live'))).toBe(branches);
      expect(await client.scard(key('p', 'parked'))).toBe(branches - before);
      expect(await client.hlen(key('p', 'outbox'))).toBeLessThanOrEqual(before);
      await backend.control('p', 'resume');
      while ((await jobs('p')) < branches) {
        if (Date.now() > until) throw new Error('the resumed fan-out did not reach BullMQ');
        await backend.queue.sweep();
        await sleep(100);
      }
      expect(await jobs('p')).toBe(branches);
    },
  );
});
