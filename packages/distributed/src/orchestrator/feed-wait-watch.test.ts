import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../contracts/backend.js';
import type { ChangeFeed, FeedEvent } from '../contracts/change-feed.js';
import { MemoryBackend } from '../memory/memory-backend.js';
import { wrapBackend } from '../test-support/wrap-backend.js';
import { doubleWorkflow, headlineWorkflow } from '../test-support/workflows.js';
import { waitFor } from '../test-support/wait-for.js';
import { DistributedWorker } from '../worker/distributed-worker.js';
import { sleep } from '../worker/sleep.js';
import { DistributedOrchestrator } from './distributed-orchestrator.js';
import { FeedSubscription } from './feed-subscription.js';

const open: DistributedWorker[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close({ graceMs: 0 })));
});

/** A memory backend whose run reads and feed reads are counted, and whose feed can be made to fail. */
function countingBackend() {
  const inner = new MemoryBackend();
  const counts = { runsGet: 0, feedRead: 0, feedFailures: 0 };
  const feed: ChangeFeed = {
    head: () => inner.feed.head(),
    read: async (after, options) => {
      counts.feedRead += 1;
      if (counts.feedFailures > 0) {
        counts.feedFailures -= 1;
        throw new Error('connection lost');
      }
      return inner.feed.read(after, options);
    },
  };
  const runs = Object.create(inner.runs) as Backend['runs'];
  runs.get = (runId) => {
    counts.runsGet += 1;
    return inner.runs.get(runId);
  };
  const backend = wrapBackend(inner, { feed, runs });
  const orchestrator = new DistributedOrchestrator({
    backend,
    workflows: [doubleWorkflow, headlineWorkflow],
  });
  const startWorker = async (): Promise<void> => {
    const worker = new DistributedWorker({
      backend,
      workflows: [doubleWorkflow, headlineWorkflow],
      idleWaitMs: 200,
    });
    open.push(worker);
    await worker.start();
  };
  return { backend, orchestrator, counts, feed, startWorker };
}

describe('wait and watch on the change feed', () => {
  it('500 idle waiters cost one run read each and one shared feed reader, not a poll per waiter', async () => {
    const { orchestrator, counts, feed, startWorker } = countingBackend();
    const runIds = await Promise.all(
      Array.from({ length: 500 }, (_, i) => orchestrator.start(doubleWorkflow, i)),
    );
    const waits = runIds.map((runId) => orchestrator.wait(runId, { timeoutMs: 20_000 }));
    await waitFor(() => counts.runsGet >= 500);
    const before = { ...counts };
    await sleep(500);
    // Nothing moved: no run was read again, and the single reader is parked in its long poll.
    expect(counts.runsGet - before.runsGet).toBe(0);
    expect(counts.feedRead - before.feedRead).toBeLessThanOrEqual(1);
    expect(FeedSubscription.of(feed).listeners).toBe(500);
    await startWorker();
    const infos = await Promise.all(waits);
    expect(infos.map((i) => i.output)).toEqual(runIds.map((_, i) => i * 2));
    expect(FeedSubscription.of(feed).listeners).toBe(0);
  });

  it('waits one after another (the shared reader stopping and starting between them) all resolve', async () => {
    const { orchestrator, feed, startWorker } = countingBackend();
    await startWorker();
    for (let i = 0; i < 30; i += 1) {
      const runId = await orchestrator.start(doubleWorkflow, i);
      expect((await orchestrator.wait(runId, { timeoutMs: 5_000 })).output).toBe(i * 2);
    }
    expect(FeedSubscription.of(feed).listeners).toBe(0);
  });

  it('resolves a wait when a feed read fails once (retried from the same position)', async () => {
    const { orchestrator, counts, startWorker } = countingBackend();
    const runId = await orchestrator.start(doubleWorkflow, 4);
    const waiting = orchestrator.wait(runId, { timeoutMs: 10_000 });
    await waitFor(() => counts.runsGet >= 1);
    counts.feedFailures = 2;
    await startWorker();
    expect(await waiting).toMatchObject({ status: 'completed', output: 8 });
  });

  it('watch() yields every run’s events from now on; filters by workflow and status', async () => {
    const { orchestrator, startWorker } = countingBackend();
    const controller = new AbortController();
    const all: FeedEvent[] = [];
    const completedDoubles: FeedEvent[] = [];
    const collect = async (into: FeedEvent[], iterable: AsyncIterable<FeedEvent>): Promise<void> => {
      for await (const event of iterable) into.push(event);
    };
    const watching = Promise.all([
      collect(all, orchestrator.watch({ signal: controller.signal })),
      collect(
        completedDoubles,
        orchestrator.watch({ workflow: 'double', status: 'completed', signal: controller.signal }),
      ),
    ]);
    await sleep(20);
    const a = await orchestrator.start(doubleWorkflow, 1);
    const b = await orchestrator.start(headlineWorkflow, { values: [1, 2] });
    await startWorker();
    await orchestrator.wait(a, { timeoutMs: 10_000 });
    await orchestrator.wait(b, { timeoutMs: 10_000 });
    await waitFor(() =>
      all.some((e) => e.runId === b && e.type === 'run.status' && e.status === 'completed'),
    );
    controller.abort();
    await watching;
    expect(new Set(all.map((e) => e.runId))).toEqual(new Set([a, b]));
    for (const runId of [a, b]) {
      const seqs = all.filter((e) => e.runId === runId).map((e) => e.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    }
    expect(completedDoubles.map((e) => [e.runId, e.type, e.status])).toEqual([
      [a, 'run.status', 'completed'],
    ]);
    expect(typeof completedDoubles[0]?.position).toBe('string');
  });

  it('watch(runId) started mid-run yields the history then live events, each once, in seq order', async () => {
    const { orchestrator, startWorker } = countingBackend();
    const runId = await orchestrator.start(headlineWorkflow, { values: [1, 2, 3] });
    const seen: number[] = [];
    await startWorker();
    for await (const event of orchestrator.watch(runId)) seen.push(event.seq);
    expect(seen).toEqual(seen.map((_, i) => i + 1));
    expect(seen.length).toBeGreaterThan(5);
  });
});
