import { describe, expect, it } from 'vitest';
import { node, workflow, type AnyWorkflow } from '@floxide/core';
import type { BackendTestInit } from '../support/backend-test-init.js';
import { sleep, waitFor } from '../support/wait-for.js';
import { useEngineHarness } from './engine-harness.js';

/** A three-step chain of `name` in task queue `queue`, recording the runs each workflow's steps ran for. */
function chain(name: string, queue: string | undefined, ran: Map<string, Set<string>>): AnyWorkflow {
  const step = (n: string) =>
    node({
      name: n,
      process: (x: number, ctx) => {
        const seen = ran.get(name) ?? new Set<string>();
        seen.add(ctx.runId);
        ran.set(name, seen);
        return x + 1;
      },
    });
  const [a, b, c] = [step('a'), step('b'), step('c')];
  return workflow({ name, ...(queue === undefined ? {} : { queue }) })
    .start(a)
    .edge(a, b)
    .edge(b, c)
    .build();
}

/**
 * Fleets: workers lease only items of the workflows (name and version) they registered, in the task
 * queues they serve; an item nobody can run stays queued, with no error record.
 */
export function describeFleetScenarios(init: BackendTestInit): void {
  describe('fleet: task queues and registered workflows', () => {
    const harness = useEngineHarness(init);

    it('two workers with disjoint workflows: both runs complete, zero UNKNOWN_WORKFLOW records', async () => {
      const ran = new Map<string, Set<string>>();
      const crawl = chain('crawl', undefined, ran);
      const index = chain('index', undefined, ran);
      const orchestrator = harness.orchestrator([crawl, index]);
      const crawler = await harness.startWorker({ workflows: [crawl], concurrency: 4 });
      const indexer = await harness.startWorker({ workflows: [index], concurrency: 4 });
      const runs = await Promise.all(
        Array.from({ length: 6 }, (_, i) => orchestrator.start(i % 2 === 0 ? crawl : index, i)),
      );
      for (const [i, runId] of runs.entries()) {
        const info = await orchestrator.wait(runId, { timeoutMs: 20_000 });
        expect(info).toMatchObject({ status: 'completed', output: i + 3 });
        expect(await orchestrator.errors(runId)).toEqual([]);
      }
      expect(ran.get('crawl')?.size).toBe(3);
      expect(ran.get('index')?.size).toBe(3);
      expect(crawler.stats.errors + indexer.stats.errors).toBe(0);
      // A worker counts a step once its commit returned, which may be just after the run completed.
      await waitFor(() => crawler.stats.processed === 9 && indexer.stats.processed === 9, {
        message: 'each worker ran the 9 steps of its own workflow',
      });
    });

    it('an item whose workflow no running worker knows stays queued, untouched, until one joins', async () => {
      const ran = new Map<string, Set<string>>();
      const known = chain('known', undefined, ran);
      const orphan = chain('orphan', undefined, ran);
      const orchestrator = harness.orchestrator([known, orphan]);
      const worker = await harness.startWorker({ workflows: [known] });
      const runId = await orchestrator.start(orphan, 1);
      const other = await orchestrator.start(known, 1);
      expect((await orchestrator.wait(other, { timeoutMs: 20_000 })).status).toBe('completed');
      await sleep(300);
      expect(await orchestrator.status(runId)).toBe('queued');
      expect(await orchestrator.errors(runId)).toEqual([]);
      expect(await harness.backend().queue.pending(runId)).toHaveLength(1);
      expect((await orchestrator.workItems(runId)).map((s) => s.status)).toEqual(['pending']);
      expect(worker.stats.errors).toBe(0);
      await harness.startWorker({ workflows: [orphan] });
      expect(await orchestrator.wait(runId, { timeoutMs: 20_000 })).toMatchObject({
        status: 'completed',
        output: 4,
      });
      expect(await orchestrator.errors(runId)).toEqual([]);
    });

    it('task queues: a worker serves only the task queues it lists', async () => {
      const ran = new Map<string, Set<string>>();
      const mail = chain('mail', 'emails', ran);
      const plain = chain('plain', undefined, ran);
      const orchestrator = harness.orchestrator([mail, plain]);
      // Registered both, serves only 'default': the mail item waits for the mailer.
      const general = await harness.startWorker({ workflows: [mail, plain], queues: ['default'] });
      const mailRun = await orchestrator.start(mail, 0);
      const plainRun = await orchestrator.start(plain, 0);
      expect((await orchestrator.wait(plainRun, { timeoutMs: 20_000 })).status).toBe('completed');
      await sleep(300);
      expect(await orchestrator.status(mailRun)).toBe('queued');
      const mailer = await harness.startWorker({ workflows: [mail], queues: ['emails'] });
      expect(await orchestrator.wait(mailRun, { timeoutMs: 20_000 })).toMatchObject({
        status: 'completed',
        output: 3,
      });
      await waitFor(() => general.stats.processed === 3 && mailer.stats.processed === 3, {
        message: 'each worker ran the 3 steps of its own queue',
      });
      expect(general.stats.errors + mailer.stats.errors).toBe(0);
    });
  });
}
