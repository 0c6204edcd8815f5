import { isFloxideError, node, RetryPolicy, workflow } from '@floxide/core';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MemoryBackend } from '../memory/memory-backend.js';
import { DistributedWorker } from '../worker/distributed-worker.js';
import { DistributedOrchestrator } from './distributed-orchestrator.js';

const count = node({
  name: 'count',
  input: z.object({ urls: z.array(z.string()) }),
  process: (input) => input.urls.length,
});
const crawl = workflow({ name: 'crawl' }).start(count).build();
const broken = node({
  name: 'broken',
  retry: RetryPolicy.fixed({ maxAttempts: 1, initialDelayMs: 1 }),
  process(input: string): string {
    throw new Error(`cannot handle ${input}`);
  },
});
const failing = workflow({ name: 'failing' }).start(broken).build();

const open: DistributedWorker[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close({ graceMs: 0 })));
});

async function setup() {
  const backend = new MemoryBackend();
  const workflows = [crawl, failing];
  const worker = new DistributedWorker({ backend, workflows, heartbeatMs: 50, idleWaitMs: 100 });
  open.push(worker);
  return { orchestrator: new DistributedOrchestrator({ backend, workflows }), worker };
}

describe('RunHandle', () => {
  it('resolves result() with the run output and reports status and events', async () => {
    const { orchestrator, worker } = await setup();
    const handle = await orchestrator.startRun(crawl, { urls: ['a', 'b', 'c'] });
    expect(await handle.status()).toBe('queued');
    await worker.start();
    expect(await handle.result()).toBe(3);
    expect(await handle.status()).toBe('completed');
    expect((await handle.wait()).output).toBe(3);
    const types: string[] = [];
    for await (const event of handle.watch()) types.push(event.type);
    expect(types).toContain('step.committed');
    expect((await orchestrator.wait(crawl, handle.runId)).output).toBe(3);
  });

  it('rejects result() with the run error when the run failed', async () => {
    const { orchestrator, worker } = await setup();
    await worker.start();
    const handle = await orchestrator.startRun(failing, 'x');
    await expect(handle.result()).rejects.toSatisfy(
      (error) =>
        isFloxideError(error, 'NODE_FAILED') && String((error as Error).message).includes('cannot handle x'),
    );
  });

  it('pauses, resumes and cancels through the handle; result() of a cancelled run rejects with CANCELLED', async () => {
    const { orchestrator } = await setup();
    const handle = orchestrator.handle(crawl, await orchestrator.start(crawl, { urls: [] }));
    expect((await handle.pause()).status).toBe('paused');
    expect((await handle.resume()).status).toBe('running');
    expect((await handle.cancel()).status).toBe('cancelled');
    await expect(handle.result()).rejects.toSatisfy((error) => isFloxideError(error, 'CANCELLED'));
  });
});
