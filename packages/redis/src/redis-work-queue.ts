import { CorruptRecordError } from '@floxide/core';
import type { WorkItem } from '@floxide/core/engine';
import type { Lease, LeaseOptions, LeaseState, WorkQueue } from '@floxide/distributed';
import type { Job } from 'bullmq';
import type { FanoutDrain } from './fanout-drain.js';
import { decodeItem, encodeItem, jobBase, parseJobId } from './item-codec.js';
import { groupByShard, RUN_SHARDS, SHARDS } from './keys.js';
import { isConnectionError } from './redis-errors.js';
import {
  isUnreadableJob,
  lanePriority,
  type FetchedJob as Fetched,
  type Fetcher,
  type RedisShared,
} from './redis-shared.js';
import { CLAIM_LUA } from './scripts/generated/claim.js';
import { DEADLINE_LUA } from './scripts/generated/deadline.js';
import { ENQUEUE_LUA } from './scripts/generated/enqueue.js';
import { OUTBOX_LUA } from './scripts/generated/outbox.js';
import { PURGE_LUA } from './scripts/generated/purge.js';
import { RELEASE_LUA } from './scripts/generated/release.js';
import { LuaScript } from './scripts/lua-script.js';
import { LeaseLimits } from './lease-limits.js';

const CLAIM = new LuaScript(CLAIM_LUA);
const RELEASE = new LuaScript(RELEASE_LUA);
const PURGE = new LuaScript(PURGE_LUA);
const OUTBOX = new LuaScript(OUTBOX_LUA);
const ENQUEUE = new LuaScript(ENQUEUE_LUA);
const DEADLINE = new LuaScript(DEADLINE_LUA);

/**
 * Longest blocking wait of a lease call without a workflow filter: it waits on the lanes known when it
 * started, so it looks for new ones this often.
 */
const UNFILTERED_WAIT_SLICE_MS = 250;

/** Longest blocking wait of a filtered lease call: a new priority lane of its workflows is seen within this. */
const LANE_WAIT_SLICE_MS = 1_000;

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** How often a lease call whose workflows are all at their `maxConcurrency` looks again (ms). */
const LIMIT_POLL_MS = 50;

/**
 * How long a blocking fetch may run past the wait it was asked for before it is given up (ms). BullMQ
 * blocks for that wait (its `drainDelay`), then fetches the job: a healthy fetch ends well within this,
 * even on a loaded machine.
 */
const BLOCKING_FETCH_GRACE_MS = 5_000;

/** Lease tokens carry the BullMQ lock token and the job id: `<lockToken>#<jobId>`. */
export function leaseToken(lockToken: string, jobId: string): string {
  return `${lockToken}#${jobId}`;
}

/** Splits a lease token back into the BullMQ lock token and the job id. */
export function parseLeaseToken(token: string): { lockToken: string; jobId: string } {
  const i = token.indexOf('#');
  return i < 0
    ? { lockToken: token, jobId: '' }
    : { lockToken: token.slice(0, i), jobId: token.slice(i + 1) };
}

/** Sweeper settings of {@link RedisWorkQueue}. */
export interface RedisWorkQueueOptions {
  /** Outbox entries due less than this long ago are never re-sent by a sweep (ms). Default 30000. */
  readonly sweepGraceMs?: number;
  /** At most this many active runs (and BullMQ existence checks per pipeline) per sweep. Default 500. */
  readonly sweepBatch?: number;
  /** Materialises wide fan-outs: a sweep carries on those whose drain stopped (e.g. its process died). */
  readonly fanouts?: FanoutDrain;
}

/** What one {@link RedisWorkQueue.sweep} call did. */
export interface SweepReport {
  /** Active runs visited. */
  readonly runs: number;
  /** Outbox entries old enough to be checked against BullMQ. */
  readonly checked: number;
  /** Entries whose BullMQ job was gone and that were handed to BullMQ again. */
  readonly resent: number;
  /** True when this call reached the end of a pass over the active runs. */
  readonly passDone: boolean;
  /** Runs failed with DEADLINE_EXCEEDED because their deadline passed (by the server clock). */
  readonly deadlinesExpired: number;
}

/**
 * The Redis {@link WorkQueue}: BullMQ jobs carry the items, BullMQ locks are the leases.
 *
 * @remarks
 * `lease` fetches jobs manually from a BullMQ worker (lock duration = `leaseMs`) and validates each in one
 * per-run script (run status, stale job ids) that also marks the item running. Jobs of paused or failed
 * runs are parked in Redis and removed from BullMQ; those of cancelled or completed runs are dropped.
 * Lease expiry is BullMQ's stalled-job check: a job whose lock lapsed goes back to `wait`.
 *
 * @example
 * ```ts
 * const [lease] = await backend.queue.lease({ workerId: 'w1', leaseMs: 30_000, waitMs: 1_000 });
 * if (lease) await backend.queue.extend(lease, 30_000);
 * ```
 */
export class RedisWorkQueue implements WorkQueue {
  readonly #shared: RedisShared;
  readonly #graceMs: number;
  readonly #batch: number;
  readonly #fanouts: FanoutDrain | undefined;
  #sweepCursor = '0';
  /** The shard whose active set the sweep cursor walks. */
  #sweepShard = 0;
  /** The lane a multi-lane fetch starts with, advanced by every fetch. */
  #rotation = 0;
  readonly #limits: LeaseLimits;
  /** Where the sweeper's HSCAN of each large outbox stopped (absent: start over). */
  readonly #outboxCursors = new Map<string, string>();
  #sweeping?: Promise<SweepReport>;

  constructor(shared: RedisShared, options: RedisWorkQueueOptions = {}) {
    this.#limits = new LeaseLimits(shared);
    this.#shared = shared;
    this.#graceMs = Math.max(0, options.sweepGraceMs ?? 30_000);
    this.#batch = Math.max(1, options.sweepBatch ?? 500);
    this.#fanouts = options.fanouts;
  }

  /** Adds items directly to BullMQ (idempotent by deterministic job id); the backend's commits use the outbox. */
  async enqueue(items: readonly WorkItem[], options: { delayMs?: number } = {}): Promise<void> {
    const s = this.#shared;
    const delayMs = Math.max(0, Math.ceil(options.delayMs ?? 0));
    const byRun = new Map<string, WorkItem[]>();
    for (const item of items) byRun.set(item.runId, [...(byRun.get(item.runId) ?? []), item]);
    await s.guard('enqueue', async () => {
      for (const [runId, runItems] of byRun) {
        const args: string[] = [];
        const enq = runItems.map((item) => {
          args.push(encodeItem(item));
          const base = jobBase(runId, item.itemId);
          return {
            itemId: item.itemId,
            node: item.node,
            base,
            attempt: item.attempt,
            delayMs,
            idx: args.length + 1,
          };
        });
        const control = JSON.stringify({ runId, enq });
        const outbox = (await ENQUEUE.run(s.client, s.keys.runKeys(runId), [control, ...args])) as string[];
        await s.flush(outbox);
      }
    });
  }

  /**
   * Claims up to `max` ready items, waiting up to `waitMs` for one when none is ready. Only the lanes
   * (BullMQ queues) of `options.workflows` are fetched from; without a filter, every lane items were ever
   * handed to.
   */
  async lease(options: LeaseOptions): Promise<Lease[]> {
    const s = this.#shared;
    const max = Math.max(1, options.max ?? 1);
    const deadline = s.now() + Math.max(0, options.waitMs ?? 0);
    return s.guard('lease', async () => {
      this.#limits.learn(options.workflows);
      for (;;) {
        if (options.signal?.aborted || s.closed) return [];
        // Workflows at their maxConcurrency are left out of this round (see LeaseLimits).
        const full = await this.#limits.full(options.workflows);
        const workflows =
          full.length === 0 ? options.workflows : options.workflows?.filter((w) => !full.includes(w));
        if (workflows?.length === 0) {
          const remaining = deadline - s.now();
          if (remaining <= 0) return [];
          await sleep(Math.min(remaining, LIMIT_POLL_MS), options.signal);
          continue;
        }
        // Lanes (and priority lanes) that appear while this call waits are picked up on its next round.
        const lanes =
          workflows === undefined
            ? (await s.allLanes()).sort((a, b) => lanePriority(b) - lanePriority(a))
            : await s.lanesOf(workflows);
        const fetchers = lanes.map((lane) => s.fetcher(lane, options.leaseMs));
        const laneSet = new Set(lanes);
        const fetched = await this.#fetch(fetchers, laneSet, max);
        const leases = await this.#claim(fetched, options);
        if (leases.length > 0) return leases;
        if (fetched.length > 0) continue;
        const remaining = deadline - s.now();
        if (remaining <= 0) return [];
        const slice = Math.min(
          remaining,
          workflows === undefined ? UNFILTERED_WAIT_SLICE_MS : LANE_WAIT_SLICE_MS,
        );
        const waited = await this.#wait(fetchers, slice, options.signal);
        if (waited) {
          const more = max > 1 ? await this.#fetch([waited.fetcher], laneSet, max - 1) : [];
          const got = await this.#claim([waited, ...more], options);
          if (got.length > 0) return got;
        }
      }
    });
  }

  /** Moves the lock deadline; `'lost'` when the lock is not ours, `'cancelled'` for finished runs. */
  async extend(lease: Lease, leaseMs: number): Promise<LeaseState> {
    const s = this.#shared;
    const { lockToken, jobId } = parseLeaseToken(lease.token);
    return s.guard('extend', async () => {
      const worker = s.anyFetcher(laneOfItem(s, lease.item), leaseMs).worker;
      const [status, failed] = await Promise.all([
        s.client.hget(s.keys.run(lease.item.runId, 'run'), 'status'),
        worker.extendJobLocks([jobId], [lockToken], leaseMs),
        this.#limits.extend(lease.item, jobId, leaseMs),
      ]);
      if (status === null || status === 'completed' || status === 'failed' || status === 'cancelled')
        return 'cancelled';
      return failed.includes(jobId) ? 'lost' : 'active';
    });
  }

  /**
   * Gives a leased item back, visible after `delayMs`, same attempt; a lost lease is a no-op.
   *
   * @remarks One atomic decision: the release script resets the item only while this lease's lock token
   * is still the one its claim recorded, and runs before the job goes back to BullMQ. A claim by another
   * worker (after the job reached the queue, or after this lock lapsed) records that worker's token, so a
   * late or racing release can never mark its running item `pending`.
   */
  async release(lease: Lease, options: { delayMs?: number } = {}): Promise<void> {
    const s = this.#shared;
    const { lockToken, jobId } = parseLeaseToken(lease.token);
    await s.guard('release', async () => {
      await RELEASE.run(s.client, s.keys.runKeys(lease.item.runId), [lease.item.itemId, jobId, lockToken]);
      const job = await s.job(jobId, laneOfItem(s, lease.item));
      try {
        if (!job) return;
        const delayMs = Math.max(0, options.delayMs ?? 0);
        // BullMQ turns the timestamp back into a delay against this process's Date.now(): a pure duration.
        if (delayMs > 0) await job.moveToDelayed(Date.now() + delayMs, lockToken);
        else await job.moveToWait(lockToken);
      } catch {
        // BullMQ refuses when the lock is no longer ours: releasing a lost lease is a no-op.
      } finally {
        s.forget(jobId);
        await this.#limits.end(lease.item, jobId);
      }
    });
  }

  /** Removes every queued, not leased item of the run; returns how many. */
  async purgeRun(runId: string): Promise<number> {
    const s = this.#shared;
    return s.guard('purgeRun', async () => {
      const dropped = (await PURGE.run(s.client, s.keys.runKeys(runId), [])) as string[];
      if (dropped.length === 0) return 0;
      const [workflow, version] = await s.client.hmget(s.keys.run(runId, 'run'), 'workflow', 'version');
      const lanes = await s.lanesOf([{ name: workflow ?? '', version: Number(version) }]);
      await Promise.all(lanes.map((lane) => s.remove(dropped, lane)));
      return dropped.length;
    });
  }

  /** Items of the run that are queued, delayed, parked or leased. */
  async pending(runId: string): Promise<WorkItem[]> {
    const s = this.#shared;
    return s.guard('pending', async () => {
      const entries = await s.client.hvals(s.keys.run(runId, 'live'));
      return entries.map((e) => decodeItem(e.slice(nthIndex(e, '\n', 3) + 1)));
    });
  }

  /**
   * Re-sends outbox entries a crashed process left behind, for one bounded batch of active runs; a call
   * made while a sweep is in flight returns that sweep instead of starting another.
   *
   * @remarks Successive calls walk the `active` set with SSCAN (a cursor kept between calls), at most
   * {@link RedisWorkQueueOptions.sweepBatch} runs per call. Only entries due more than `sweepGraceMs` ago are
   * candidates (a younger one may still be on its way to BullMQ), and of those only the ones whose BullMQ job
   * is gone are re-sent: a healthy backlog waits in BullMQ and is left alone.
   */
  sweep(): Promise<SweepReport> {
    this.#sweeping ??= this.#shared
      .guard('sweep', () => this.#sweepBatch())
      .finally(() => {
        this.#sweeping = undefined;
      });
    return this.#sweeping;
  }

  async #sweepBatch(): Promise<SweepReport> {
    const s = this.#shared;
    const deadlinesExpired = await this.#expireDeadlines();
    const runIds: string[] = [];
    // The active sets are sharded (keys.ts): a pass walks the shards in turn, one SSCAN cursor at a time.
    let passDone = false;
    do {
      const shard = this.#sweepShard;
      const [next, batch] = await s.client.sscan(
        s.keys.active(shard),
        this.#sweepCursor,
        'COUNT',
        this.#batch,
      );
      this.#sweepCursor = next;
      runIds.push(...batch);
      if (next === '0') {
        this.#sweepShard = (shard + 1) % RUN_SHARDS;
        passDone = this.#sweepShard === 0;
      }
    } while (!passDone && runIds.length < this.#batch);
    // The script compares due times with the server clock: this process's clock plays no part.
    const calls = runIds.map((runId) => ({
      keys: [...s.keys.runKeys(runId), s.keys.fanouts(runId)],
      args: [this.#graceMs, this.#outboxCursors.get(runId) ?? '0', this.#batch],
    }));
    const replies = (await OUTBOX.runMany(s.client, calls)) as [string, number, string[], string, number][];
    const finished: string[] = [];
    const candidates: { runId: string; jobId: string }[] = [];
    replies.forEach(([status, size, old, cursor, fanouts], i) => {
      const runId = runIds[i] as string;
      if (cursor === '0') this.#outboxCursors.delete(runId);
      else this.#outboxCursors.set(runId, cursor);
      // A wide fan-out whose drain stopped carries on in the background (a live drain elsewhere answers
      // busy at once); it also settles the fan-outs of finished runs, which keeps them active until then.
      if (fanouts > 0 && this.#fanouts) s.track(this.#fanouts.drainRun(runId));
      if (size === 0 && fanouts === 0 && (status === '' || status === 'completed' || status === 'cancelled'))
        finished.push(runId);
      for (const jobId of old) candidates.push({ runId, jobId });
    });
    let resent = 0;
    for (let i = 0; i < candidates.length; i += this.#batch) {
      resent += await this.#resendMissing(candidates.slice(i, i + this.#batch));
    }
    await Promise.all(
      [...groupByShard(finished)].map(([shard, ids]) => s.client.srem(s.keys.active(shard), ...ids)),
    );
    for (const runId of finished) this.#outboxCursors.delete(runId);
    return {
      runs: runIds.length,
      checked: candidates.length,
      resent,
      passDone,
      deadlinesExpired,
    };
  }

  /**
   * Fails every unfinished run whose deadline passed by the server clock (at most `sweepBatch` per call),
   * paused and idle ones included: a deadline does not wait for a worker to touch the run.
   */
  async #expireDeadlines(): Promise<number> {
    const s = this.#shared;
    const [sec, usec] = await s.client.time();
    const now = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
    const perShard = await Promise.all(
      SHARDS.map((k) => s.client.zrangebyscore(s.keys.deadlines(k), '-inf', now, 'LIMIT', 0, this.#batch)),
    );
    const due = perShard.flat().slice(0, this.#batch);
    if (due.length === 0) return 0;
    const replies = (await DEADLINE.runMany(
      s.client,
      due.map((runId) => ({ keys: s.keys.runKeys(runId), args: [] })),
    )) as string[];
    const settled = due.filter((_, i) => replies[i] !== 'later');
    await Promise.all(
      [...groupByShard(settled)].map(([shard, ids]) => s.client.zrem(s.keys.deadlines(shard), ...ids)),
    );
    return replies.filter((r) => r === 'failed').length;
  }

  /** Re-sends the candidates whose BullMQ job no longer exists (their hand-off never happened). */
  async #resendMissing(candidates: readonly { runId: string; jobId: string }[]): Promise<number> {
    const s = this.#shared;
    // Entries of different runs (and jobs of different lanes) live in different slots: side by side rather
    // than one pipeline (Cluster).
    const got = await Promise.all(
      candidates.map((c) => s.client.hget(s.keys.run(c.runId, 'outbox'), c.jobId)),
    );
    // Claimed meanwhile (the claim deletes the entry): nothing to re-send.
    const present: { jobId: string; value: string; lane: string | undefined }[] = [];
    candidates.forEach((c, i) => {
      const value = got[i];
      if (typeof value === 'string') present.push({ jobId: c.jobId, value, lane: laneOfEntry(s, value) });
    });
    if (present.length === 0) return 0;
    // An entry whose item cannot be read has no lane: flush fails its run.
    const found = await Promise.all(
      present.map((p) =>
        p.lane === undefined ? Promise.resolve(0) : s.client.exists(s.bullJobKey(p.lane, p.jobId)),
      ),
    );
    const outbox: string[] = [];
    present.forEach((p, i) => {
      if (found[i] === 0 || p.lane === undefined) outbox.push(p.jobId, p.value);
    });
    await s.flush(outbox);
    return outbox.length / 2;
  }

  /**
   * Fetches up to `max` jobs without blocking: prefetched ones of these lanes first (a completion fetches the
   * next job of its own lane), then from the lanes by priority (see below).
   */
  async #fetch(fetchers: readonly Fetcher[], lanes: ReadonlySet<string>, max: number): Promise<Fetched[]> {
    const s = this.#shared;
    const leaseMs = fetchers[0]?.leaseMs;
    if (leaseMs === undefined) return [];
    s.leasedLanes = fetchers.length;
    const prefetched = await s.takePrefetched(max, leaseMs, lanes);
    if (prefetched.length > 0) return prefetched;
    const out: Fetched[] = [];
    // Lanes come highest priority first: a lower one is asked only when the higher ones are empty, and
    // lanes of one priority are asked in turn, starting at a rotating one so that none is always last.
    const rotation = this.#rotation++;
    for (let i = 0; i < fetchers.length && out.length < max;) {
      const priority = lanePriority((fetchers[i] as Fetcher).lane);
      let end = i;
      while (end < fetchers.length && lanePriority((fetchers[end] as Fetcher).lane) === priority) end += 1;
      const group = fetchers.slice(i, end);
      for (let k = 0; k < group.length && out.length < max; k += 1) {
        const fetcher = group[(rotation + k) % group.length] as Fetcher;
        out.push(...(await this.#fetchLane(fetcher, max - out.length)));
      }
      i = end;
    }
    return out;
  }

  async #fetchLane(fetcher: Fetcher, max: number): Promise<Fetched[]> {
    const s = this.#shared;
    const worker = fetcher.worker;
    const first = s.token();
    const lockedAt = s.now();
    const job = (await worker.getNextJob(first, { block: false })) as Job | undefined;
    if (!job) return [];
    const out: Fetched[] = [{ job, token: first, fetcher, lockedAt }];
    if (max > 1) {
      const tokens = Array.from({ length: max - 1 }, () => s.token());
      const more = await Promise.all(
        tokens.map((t) => worker.getNextJob(t, { block: false }) as Promise<Job | undefined>),
      );
      more.forEach((j, i) => {
        if (j) out.push({ job: j, token: tokens[i] as string, fetcher, lockedAt });
      });
    }
    return out;
  }

  /**
   * Claims each fetched job on its own: a job whose data is unreadable, or whose claim script fails, is set
   * aside (its run failed with CORRUPT_RECORD when the job id names it) while the others are leased at once.
   */
  async #claim(fetched: readonly Fetched[], options: LeaseOptions): Promise<Lease[]> {
    if (fetched.length === 0) return [];
    const s = this.#shared;
    const now = s.now();
    const good: { f: Fetched; item: WorkItem }[] = [];
    const bad: Fetched[] = [];
    for (const f of fetched) {
      const item = isUnreadableJob(f.job) ? undefined : workItemOf(f.job.data, f.job.id ?? '');
      if (item) good.push({ f, item });
      else bad.push(f);
    }
    if (good.length > 0) {
      const admitted = await this.#limits.admit(
        good.map(({ f, item }) => ({ item, jobId: f.job.id ?? '' })),
        Math.min(options.leaseMs, good[0]?.f.fetcher.leaseMs ?? options.leaseMs),
      );
      const refused = good.filter((_, i) => admitted[i] !== true);
      if (refused.length > 0) {
        // Over the workflow's limit: the job goes back to BullMQ unclaimed, for a later lease.
        await Promise.all(refused.map(({ f }) => s.handBack(f.job.id ?? '', f.token, f.fetcher.lane)));
        good.splice(0, good.length, ...good.filter((_, i) => admitted[i] === true));
      }
    }
    const calls = good.map(({ f, item }) => ({
      keys: s.keys.runKeys(item.runId),
      args: [item.itemId, item.attempt, f.job.id ?? '', 0, item.node, item.runId, f.token],
    }));
    const replies = await CLAIM.runSettled(s.client, calls);
    const unreachable = replies.find((r) => r.error && isConnectionError(r.error));
    if (unreachable?.error) throw unreachable.error;
    const leases: Lease[] = [];
    const done: Promise<unknown>[] = [];
    replies.forEach((reply, i) => {
      const { f, item } = good[i] as { f: Fetched; item: WorkItem };
      const jobId = f.job.id ?? '';
      s.remember(f.job, f.fetcher);
      if (reply.error) {
        bad.push(f);
        return;
      }
      const [verdict, outbox, strandJson] = reply.value as [string, string[], string | null];
      if (verdict === 'ok') {
        // A prefetched job's lock started when it was fetched, not now.
        const expiresAt = Math.min(now, f.lockedAt) + Math.min(options.leaseMs, f.fetcher.leaseMs);
        // A strand's carrier job resumes the strand: the lease is for the item the strand is on.
        const leased = typeof strandJson === 'string' ? decodeItem(strandJson) : item;
        leases.push({
          item: leased,
          token: leaseToken(f.token, jobId),
          workerId: options.workerId,
          expiresAt,
        });
      } else {
        // drop, park, or corrupt (the script failed the run and parked the item): the job itself is done.
        done.push(s.flush(outbox).then(() => s.drop(jobId, f.token, f.fetcher.lane)));
      }
    });
    for (const f of bad) done.push(this.#setAside(f));
    await Promise.all(done);
    return leases;
  }

  /**
   * Takes a job whose record cannot be used out of the queue: its run (named by the job id) fails with
   * CORRUPT_RECORD and an error record; the job moves to BullMQ's failed set, kept there for inspection.
   */
  async #setAside(f: Fetched): Promise<void> {
    const s = this.#shared;
    const jobId = f.job.id ?? '';
    await s.failJob(jobId, 'the BullMQ job data').catch(() => false);
    try {
      f.job.opts = { ...f.job.opts, removeOnFail: false, attempts: 1 };
      await f.job.moveToFailed(
        new CorruptRecordError(`BullMQ job ${jobId} holds no readable work item`),
        f.token,
        false,
      );
    } catch {
      // The lock lapsed: the stalled check returns the job and the next claim sets it aside again.
    } finally {
      s.forget(jobId);
    }
  }

  /**
   * Waits for a job of any of the lanes with BullMQ's blocking fetch (one in flight per lane worker),
   * bounded by `ms` and `signal`; the first job wins, any other lane's late job goes straight back.
   */
  async #wait(fetchers: readonly Fetcher[], ms: number, signal?: AbortSignal): Promise<Fetched | undefined> {
    const s = this.#shared;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stop = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
      onAbort = () => resolve(undefined);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      // A signal that fired before its listener was added never calls it.
      if (signal?.aborted) return undefined;
      if (fetchers.length === 0) return await stop;
      const attempts = fetchers.map((fetcher) => this.#blockingFetch(fetcher, ms));
      const winner = await Promise.race([
        ...attempts.map((a) => a.then((got) => got ?? new Promise<never>(() => undefined))),
        Promise.all(attempts).then(() => undefined),
        stop,
      ]);
      for (const attempt of attempts) {
        // Every job but the winner goes straight back to its queue, whenever it arrives.
        s.track(
          attempt.then(async (late) => {
            if (late && late !== winner) await late.job.moveToWait(late.token);
          }),
        );
      }
      return winner;
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  /** One lane's blocking fetch, or its fetch already in flight (which brings nothing to this caller). */
  #blockingFetch(fetcher: Fetcher, ms: number): Promise<Fetched | undefined> {
    const s = this.#shared;
    if (fetcher.blocking) return fetcher.blocking.then(() => undefined);
    const worker = fetcher.worker;
    // BullMQ's blocking wait lasts `drainDelay` seconds when nothing is delayed; bound it by our wait.
    (worker.opts as { drainDelay: number }).drainDelay = Math.max(0.01, Math.min(ms, 5_000) / 1000);
    const token = s.token();
    const lockedAt = s.now();
    const call = worker.getNextJob(token, { block: true }) as Promise<Job | undefined>;
    // Bounded: after a failover the driver can hold the fetch for ever (see RedisShared.retire). Past the
    // bound it counts as "nothing came" and the lane gets a new worker; a job it still brings goes back.
    let timer: NodeJS.Timeout | undefined;
    const overdue = new Promise<'overdue'>((resolve) => {
      timer = setTimeout(() => resolve('overdue'), ms + BLOCKING_FETCH_GRACE_MS);
    });
    const attempt = Promise.race([call, overdue])
      .then(
        (job) => {
          if (job !== 'overdue') return job ? { job, token, fetcher, lockedAt } : undefined;
          s.retire(fetcher);
          call.then((late) => late?.moveToWait(token)).catch(() => undefined);
          return undefined;
        },
        () => undefined,
      )
      .finally(() => clearTimeout(timer));
    fetcher.blocking = attempt.then(() => undefined);
    void fetcher.blocking.finally(() => {
      fetcher.blocking = undefined;
    });
    return attempt;
  }
}

/** The lane of an outbox entry (`readyAt\nitemJson`), or `undefined` when its item cannot be read. */
function laneOfEntry(s: RedisShared, value: string): string | undefined {
  try {
    const item = decodeItem(value.slice(value.indexOf('\n') + 1));
    return laneOfItem(s, item);
  } catch {
    return undefined;
  }
}

/** The lane (BullMQ queue) an item's job lives in: its workflow version's, at its priority. */
function laneOfItem(s: RedisShared, item: WorkItem): string {
  return s.laneOf(item.workflow, item.version, item.priority ?? 0);
}

function nthIndex(text: string, needle: string, n: number): number {
  let at = -1;
  for (let i = 0; i < n; i += 1) at = text.indexOf(needle, at + 1);
  return at;
}

/**
 * The work item a job carries, or `undefined` when its data is not a well-formed item of the run, item and
 * attempt its job id names (a corrupt or foreign job).
 */
function workItemOf(data: unknown, jobId: string): WorkItem | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const d = data as Partial<Record<keyof WorkItem, unknown>>;
  if (
    typeof d.itemId !== 'string' ||
    typeof d.runId !== 'string' ||
    typeof d.node !== 'string' ||
    typeof d.workflow !== 'string' ||
    typeof d.version !== 'number' ||
    typeof d.attempt !== 'number' ||
    !Array.isArray(d.branches)
  ) {
    return undefined;
  }
  const ids = parseJobId(jobId);
  if (!ids || ids.runId !== d.runId || ids.itemId !== d.itemId || ids.attempt !== d.attempt) return undefined;
  return data as WorkItem;
}
