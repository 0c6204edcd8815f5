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
      const { events } = await readAll(backend(), head, 7);
      for (const runId of runIds) {
        const seqs = events.filter((e) => e.runId === runId).map((e) => e.seq);
        expect(seqs).toEqual((await backend().events.read(runId, 0)).map((e) => e.seq));
      }
    });

    it('the empty position reads from the oldest retained event', async () => {
      await backend().startRun(testRun('f-first'));
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
