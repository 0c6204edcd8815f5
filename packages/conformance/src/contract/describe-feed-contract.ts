import { describe, expect, it } from 'vitest';
import type { Backend, FeedEvent, Lease, RunEvent } from '@floxide/distributed';
import type { BackendTestInit } from '../support/backend-test-init.js';
import { advance, leaseN, stepCommit, testRun } from '../support/test-records.js';
import { useBackend } from '../support/use-backend.js';

/** Every event after `after`, read in pages of `limit`, with the position after the last page. */
async function readAll(
  backend: Backend,
  after: string,
  limit = 1_000,
): Promise<{ events: FeedEvent[]; position: string }> {
  const events: FeedEvent[] = [];
  let position = after;
  for (;;) {
    const page = await backend.feed.read(position, { limit });
    events.push(...page.events);
    position = page.position;
    if (page.events.length < limit) return { events, position };
  }
}

/**
 * Waits until the feed, followed from `after`, has delivered every event the given runs have recorded so
 * far. A backend may make an event readable shortly after its commit (Postgres: once every older
 * transaction on the server has ended, which a busy server delays); the reads asserted after this see a
 * settled feed, and still prove that nothing is skipped or repeated.
 */
async function caughtUp(backend: Backend, after: string, runIds: readonly string[]): Promise<void> {
  const missing = new Map<string, number>();
  for (const runId of runIds) missing.set(runId, (await backend.events.read(runId, 0)).length);
  let position = after;
  const deadline = Date.now() + 15_000;
  while ([...missing.values()].some((n) => n > 0)) {
    if (Date.now() > deadline) throw new Error(`feed did not deliver the events of ${runIds.join(', ')}`);
    const page = await backend.feed.read(position, { waitMs: 200 });
    for (const event of page.events) {
      const left = missing.get(event.runId);
      if (left !== undefined) missing.set(event.runId, left - 1);
    }
    position = page.position;
  }
}

/** The stored shape of a feed event (its feed position dropped). */
function stored(event: FeedEvent): RunEvent {
  const { position: _position, ...rest } = event;
  return rest;
}

/**
 * Drives `runIds` to completion with concurrent commits: each run takes `depth` steps, one successor per
 * step, leased and committed in batches across runs, so the runs' commits interleave.
 */
async function runInterleaved(backend: Backend, runIds: readonly string[], depth: number): Promise<void> {
  await Promise.all(runIds.map((runId) => backend.startRun(testRun(runId))));
  let open = runIds.length;
  while (open > 0) {
    const leases: Lease[] = await leaseN(backend, open, { timeoutMs: 5_000 });
    await Promise.all(
      leases.map(async (lease) => {
        const step = Number(/:s(\d+)$/.exec(lease.item.itemId)?.[1] ?? 0);
        const next = { ...lease.item, itemId: `${lease.item.runId}:s${step + 1}`, node: 'next' };
        const outcome = step + 1 >= depth ? advance({ output: step }) : advance({ successors: [next] });
        await backend.commit(stepCommit(lease, outcome));
        if (step + 1 >= depth) open -= 1;
      }),
    );
  }
}

/** Contract of `backend.feed`: every committed event once, in commit order per run, resumable by position. */
export function describeFeedContract(init: BackendTestInit): void {
  describe('change feed', () => {
    const backend = useBackend(init);

    it('carries every committed event once, in commit order per run, exactly as the run’s history', async () => {
      const head = await backend().feed.head();
      const runIds = ['f-a', 'f-b', 'f-c'];
      await runInterleaved(backend(), runIds, 4);
      await caughtUp(backend(), head, runIds);
      const { events } = await readAll(backend(), head);
      expect(new Set(events.map((e) => e.position)).size).toBe(events.length);
      for (const runId of runIds) {
        const history = await backend().events.read(runId, 0);
        expect(history.at(-1)).toMatchObject({ type: 'run.status', status: 'completed' });
        expect(events.filter((e) => e.runId === runId).map(stored)).toEqual(history);
      }
    });

    it('a reader resuming from any position misses nothing and repeats nothing', async () => {
      const head = await backend().feed.head();
      await runInterleaved(backend(), ['f-r1', 'f-r2'], 3);
      await caughtUp(backend(), head, ['f-r1', 'f-r2']);
      const whole = await readAll(backend(), head);
      const paged = await readAll(backend(), head, 2);
      expect(paged.events).toEqual(whole.events);
      expect(paged.position).toBe(whole.position);
      // Resume from the middle: the rest, nothing before it.
      const middle = whole.events[Math.floor(whole.events.length / 2)];
      if (!middle) throw new Error('no events');
      const rest = await readAll(backend(), middle.position);
      expect(rest.events).toEqual(whole.events.slice(whole.events.indexOf(middle) + 1));
      // Caught up: nothing more, and the position stays where it was.
      expect(await backend().feed.read(whole.position)).toEqual({ events: [], position: whole.position });
    });

    it('events of many concurrent runs all arrive, each run in its own commit order', async () => {
      const head = await backend().feed.head();
      const runIds = Array.from({ length: 20 }, (_, i) => `f-many-${i}`);
      await runInterleaved(backend(), runIds, 3);
      await caughtUp(backend(), head, runIds);
      const { events } = await readAll(backend(), head, 7);
      for (const runId of runIds) {
        const seqs = events.filter((e) => e.runId === runId).map((e) => e.seq);
        expect(seqs).toEqual((await backend().events.read(runId, 0)).map((e) => e.seq));
      }
    });

    it('the empty position reads from the oldest retained event', async () => {
      await backend().startRun(testRun('f-first'));
      await caughtUp(backend(), '', ['f-first']);
      const { events } = await readAll(backend(), '');
      expect(events[0]).toMatchObject({ runId: 'f-first', seq: 1, type: 'run.status', status: 'queued' });
    });

    it('a long poll answers as soon as an event is committed', async () => {
      const head = await backend().feed.head();
      const started = Date.now();
      const polling = backend().feed.read(head, { waitMs: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await backend().startRun(testRun('f-poll'));
      const page = await polling;
      expect(page.events.map((e) => [e.runId, e.type, e.status])).toEqual([
        ['f-poll', 'run.status', 'queued'],
      ]);
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('finished-run hints, where the backend has them, name a run only once its final status is committed', async () => {
      const feed = backend().feed;
      if (!feed.onRunsFinished) return; // optional: the backend's ordered feed is its only news
      // Each hinted run is read at once, as `wait` does: it must already read as finished.
      const reads: Promise<[string, string | undefined]>[] = [];
      const hinted = new Set<string>();
      const records: { runId: string; status: string }[] = [];
      const stop = feed.onRunsFinished((runIds, runs) => {
        for (const run of runs ?? []) records.push({ runId: run.runId, status: run.status });
        for (const runId of runIds) {
          hinted.add(runId);
          reads.push(
            backend()
              .runs.get(runId)
              .then((run) => [runId, run?.status]),
          );
        }
      });
      try {
        // A long poll first: a backend that listens lazily is connected before the commits.
        let position = await feed.head();
        position = (await feed.read(position, { waitMs: 100 })).position;
        const runIds = ['f-hint-1', 'f-hint-2', 'f-hint-3'];
        await runInterleaved(backend(), runIds, 2);
        await backend().startRun(testRun('f-hint-open'));
        // Keep reading, as the orchestrator's shared reader does: a backend may hand hints over with the
        // reads that meet the final events (Redis) or on its own (Postgres' notifications).
        const until = Date.now() + 10_000;
        while (!runIds.every((runId) => hinted.has(runId))) {
          expect(Date.now(), 'a hint for every finished run').toBeLessThan(until);
          position = (await feed.read(position, { waitMs: 100 })).position;
        }
        for (const [runId, status] of await Promise.all(reads)) {
          expect(runId).not.toBe('f-hint-open');
          expect({ runId, status }).toEqual({ runId, status: 'completed' });
        }
        // A record handed over with a hint is the final one.
        for (const record of records) expect(record.status, record.runId).toBe('completed');
      } finally {
        stop();
      }
    });

    it('a long poll with nothing new ends empty at its timeout, or at once when its signal aborts', async () => {
      const head = await backend().feed.head();
      expect(await backend().feed.read(head, { waitMs: 200 })).toEqual({ events: [], position: head });
      const controller = new AbortController();
      const started = Date.now();
      const polling = backend().feed.read(head, { waitMs: 10_000, signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      expect(await polling).toEqual({ events: [], position: head });
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  });
}
