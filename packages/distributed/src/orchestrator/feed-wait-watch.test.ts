import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../contracts/backend.js';
import type { ChangeFeed, FeedEvent } from '../contracts/change-feed.js';
import type { RunInfo } from '../contracts/records.js';
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

/**
 * A memory backend whose ordered feed delivers nothing while `lagging` (like a Postgres feed held back by
 * an older transaction) and whose finished-run hints the test sends by hand.
 */
function hintingBackend() {
  const inner = new MemoryBackend();
  const state = {
    lagging: true,
    runsGet: 0,
    hintListeners: new Set<(runIds: readonly string[], runs?: readonly RunInfo[]) => void>(),
  };
  const feed: ChangeFeed = {
    head: () => inner.feed.head(),
    read: async (after, options) => {
      if (!state.lagging) return inner.feed.read(after, options);
      await sleep(Math.min(options?.waitMs ?? 0, 20), options?.signal);
      return { events: [], position: after };
    },
    onRunsFinished: (listener) => {
      state.hintListeners.add(listener);
      return () => state.hintListeners.delete(listener);
    },
  };
  const runs = Object.create(inner.runs) as Backend['runs'];
  runs.get = (runId) => {
    state.runsGet += 1;
    return inner.runs.get(runId);
  };
  const backend = wrapBackend(inner, { feed, runs });
  const orchestrator = new DistributedOrchestrator({ backend, workflows: [doubleWorkflow] });
  const hint = (runIds: readonly string[], records?: readonly RunInfo[]): void => {
    for (const listener of [...state.hintListeners]) listener(runIds, records);
  };
  const finishOne = async (): Promise<void> => {
    const worker = new DistributedWorker({ backend, workflows: [doubleWorkflow], idleWaitMs: 200 });
    open.push(worker);
    await worker.start();
  };
  return { inner, orchestrator, state, hint, feed, finishOne };
}

describe('wait on a feed with finished-run hints', () => {
  it('resolves from the hint while the ordered feed still holds the event back', async () => {
    const { inner, orchestrator, state, hint, finishOne } = hintingBackend();
    const runId = await orchestrator.start(doubleWorkflow, 5);
    const waiting = orchestrator.wait(runId, { timeoutMs: 10_000 });
    await waitFor(() => state.runsGet >= 1 && state.hintListeners.size === 1);
    await finishOne();
    await waitFor(async () => (await inner.runs.get(runId))?.status === 'completed');
    hint(['some-other-run', runId]);
    expect(await waiting).toMatchObject({ status: 'completed', output: 10 });
  });

  it('resolves from the final record a hint carries, without reading the run again', async () => {
    const { inner, orchestrator, state, hint, finishOne } = hintingBackend();
    const runId = await orchestrator.start(doubleWorkflow, 6);
    const waiting = orchestrator.wait(runId, { timeoutMs: 10_000 });
    await waitFor(() => state.runsGet >= 1 && state.hintListeners.size === 1);
    await finishOne();
    await waitFor(async () => (await inner.runs.get(runId))?.status === 'completed');
    const final = (await inner.runs.get(runId)) as RunInfo;
    const before = state.runsGet;
    hint([runId], [final]);
    expect(await waiting).toBe(final);
    expect(state.runsGet).toBe(before);
  });

  it('a hint whose record is not final is read instead', async () => {
    const { inner, orchestrator, state, hint, finishOne } = hintingBackend();
    const runId = await orchestrator.start(doubleWorkflow, 7);
    const waiting = orchestrator.wait(runId, { timeoutMs: 10_000 });
    await waitFor(() => state.runsGet >= 1 && state.hintListeners.size === 1);
    const running = (await inner.runs.get(runId)) as RunInfo;
    await finishOne();
    await waitFor(async () => (await inner.runs.get(runId))?.status === 'completed');
    const before = state.runsGet;
    expect(running.status).not.toBe('completed');
    hint([runId], [running]);
    expect(await waiting).toMatchObject({ status: 'completed', output: 14 });
    expect(state.runsGet).toBe(before + 1);
  });

  it('a hint for a run that is not finished reads the run again and keeps waiting', async () => {
    const { orchestrator, state, hint } = hintingBackend();
    const runId = await orchestrator.start(doubleWorkflow, 1);
    let settled = false;
    const waiting = orchestrator.wait(runId, { timeoutMs: 1_000 }).finally(() => {
      settled = true;
    });
    await waitFor(() => state.runsGet >= 1 && state.hintListeners.size === 1);
    hint([runId]);
    await waitFor(() => state.runsGet >= 2);
    await sleep(50);
    expect(settled).toBe(false);
    await expect(waiting).rejects.toThrow(/did not finish/);
  });

  it('hints arriving together read the run once at a time, and the hint listener ends with the reader', async () => {
    const { inner, orchestrator, state, hint, feed, finishOne } = hintingBackend();
    const runId = await orchestrator.start(doubleWorkflow, 2);
    const waiting = orchestrator.wait(runId, { timeoutMs: 10_000 });
    await waitFor(() => state.runsGet >= 1 && state.hintListeners.size === 1);
    await finishOne();
    await waitFor(async () => (await inner.runs.get(runId))?.status === 'completed');
    const before = state.runsGet;
    for (let i = 0; i < 10; i += 1) hint([runId]);
    expect(await waiting).toMatchObject({ status: 'completed', output: 4 });
    // One read answers all ten (a second one at most, had a read been in flight already).
    expect(state.runsGet - before).toBeLessThanOrEqual(2);
    expect(FeedSubscription.of(feed).listeners).toBe(0);
    await waitFor(() => state.hintListeners.size === 0);
  });
});

/**
 * A memory backend whose feed loses every event while `losing` (trimmed before the reader got them, as a
 * Redis feed trimmed by retention or its length cap) and marks the page that skipped them with `gap`.
 */
function lossyBackend() {
  const inner = new MemoryBackend();
  const state = { losing: true, gaps: 0 };
  const feed: ChangeFeed = {
    head: () => inner.feed.head(),
    read: async (after, options) => {
      const page = await inner.feed.read(after, options);
      if (!state.losing || page.events.length === 0) return page;
      state.gaps += 1;
      return { events: [], position: page.position, gap: true };
    },
  };
  const backend = wrapBackend(inner, { feed });
  const orchestrator = new DistributedOrchestrator({ backend, workflows: [doubleWorkflow] });
  const startWorker = async (): Promise<void> => {
    const worker = new DistributedWorker({ backend, workflows: [doubleWorkflow], idleWaitMs: 200 });
    open.push(worker);
    await worker.start();
  };
  return { orchestrator, state, startWorker };
}

describe('wait and watch when the feed lost events (gap)', () => {
  it('a wait whose final event was lost re-reads the run and resolves', async () => {
    const { orchestrator, state, startWorker } = lossyBackend();
    const runId = await orchestrator.start(doubleWorkflow, 4);
    const waited = orchestrator.wait(runId, { timeoutMs: 10_000 });
    await startWorker();
    const run = await waited;
    expect(run.output).toBe(8);
    expect(state.gaps).toBeGreaterThan(0);
  });

  it('watch(runId) whose live events were lost re-reads them from the run history, each once', async () => {
    const { orchestrator, startWorker } = lossyBackend();
    const runId = await orchestrator.start(doubleWorkflow, 4);
    const seen: string[] = [];
    const watching = (async () => {
      for await (const event of orchestrator.watch(runId)) seen.push(`${event.seq}:${event.type}`);
    })();
    await sleep(100);
    await startWorker();
    await watching;
    expect(seen.at(-1)).toMatch(/run\.status/);
    expect(seen.map((s) => Number(s.split(':')[0]))).toEqual(seen.map((_, i) => i + 1));
  });
});
