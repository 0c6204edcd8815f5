import { randomUUID } from 'node:crypto';
import { Job, Queue, Worker } from 'bullmq';
import { CorruptRecordError } from '@floxide/core';
import { toErrorInfo, type WorkItem } from '@floxide/core/engine';
import { assignFairTags } from './fair-share.js';
import { decodeItem, parseJobId } from './item-codec.js';
import { RedisConnections, type RedisConnectionsOptions } from './redis-connections.js';
import { FAIL_JOB_LUA } from './scripts/generated/fail-job.js';
import { LuaScript } from './scripts/lua-script.js';

const FAIL_JOB = new LuaScript(FAIL_JOB_LUA);

/** How long a read of the `lanes` set is reused (ms): a new priority lane is seen within this. */
const LANES_REFRESH_MS = 1_000;

/** The priority of a lane (0 for a workflow's base lane). */
export function lanePriority(lane: string): number {
  const m = /@p(-?\d+)$/.exec(lane);
  return m ? Number(m[1]) : 0;
}

/** Settings the backend's parts share. */
export interface RedisSharedOptions extends RedisConnectionsOptions {
  readonly queueName: string;
  readonly stalledIntervalMs: number;
}

/** A job BullMQ handed to us with its lock token. */
export interface FetchedJob {
  readonly job: Job;
  readonly token: string;
  /** The worker that fetched it: its lock duration applies to the job it fetches next. */
  readonly fetcher: Fetcher;
  /** When its lock was last set (epoch ms); the lock lasts `fetcher.leaseMs` unless relocked. */
  readonly lockedAt: number;
}

/**
 * A BullMQ worker used only for manual fetching, one per lane (BullMQ queue of one workflow version) and
 * lease duration (BullMQ's lock duration).
 */
export interface Fetcher {
  readonly worker: Worker;
  readonly lane: string;
  readonly leaseMs: number;
  /** The blocking fetch in flight on this worker, if any (BullMQ allows one at a time). */
  blocking?: Promise<void>;
}

/** A job fetched by completing the previous one (`fetchNext`), waiting for the next lease call. */
type Prefetched = FetchedJob;

/** BullMQ's own conversion of a fetched job's raw data (protected on Worker). */
interface JobFactory {
  nextJobFromJobData(jobData: unknown, jobId: string, token: string): Promise<Job | undefined>;
  createJob(data: { data?: string }, jobId: string): Job;
}

/** Jobs whose stored data BullMQ could not parse: they reach the claim with `data` null. */
const unreadableJobs = new WeakSet<Job>();

/** True when BullMQ could not parse the job's stored data (see {@link RedisShared.fetcher}). */
export function isUnreadableJob(job: Job): boolean {
  return unreadableJobs.has(job);
}

/**
 * What the stores of one {@link RedisBackend} share: the connections (see {@link RedisConnections}) and the
 * BullMQ transport on them — lanes, queues, manual-fetch workers, prefetched and leased jobs, the outbox
 * hand-off and job completion.
 *
 * @remarks Internal.
 */
export class RedisShared extends RedisConnections {
  readonly queueName: string;
  readonly #stalledIntervalMs: number;
  readonly #jobs = new Map<string, { job: Job; fetcher: Fetcher; at: number }>();
  /** Fetchers by `<leaseMs> <lane>`. */
  readonly #fetchers = new Map<string, Fetcher>();
  /** Fetchers replaced by {@link RedisShared.retire}: closed with the backend, never used to fetch again. */
  readonly #retired: Fetcher[] = [];
  /** BullMQ queues by lane, created on first use. */
  readonly #queues = new Map<string, Queue>();
  /** Lanes this process already recorded in the `lanes` set. */
  readonly #knownLanes = new Set<string>();
  /** The `lanes` set as last read. */
  #lanesRead: { at: number; lanes: string[] } | undefined;
  readonly #background = new Set<Promise<unknown>>();
  readonly #prefetched: Prefetched[] = [];
  /** `maxConcurrency` of the workflow versions this process leased with one, by `<version>@<name>`. */
  readonly leaseLimits = new Map<string, number>();
  /** How many lanes this process's latest lease asked (see {@link RedisShared.complete}). */
  leasedLanes = 0;
  #closed = false;

  constructor(options: RedisSharedOptions) {
    super(options);
    this.queueName = options.queueName;
    this.#stalledIntervalMs = options.stalledIntervalMs;
  }

  /**
   * The BullMQ queue name (lane) of a workflow version's items: `<queueName>.<version>.<encoded name>`.
   * One lane per workflow version lets a worker fetch only jobs it can run.
   */
  laneOf(workflow: string, version: number, priority = 0): string {
    const base = `${this.queueName}.${version}.${encodeURIComponent(workflow)}`;
    // '@' never appears in an encoded name: a priority lane cannot be mistaken for another workflow's.
    return priority === 0 ? base : `${base}@p${priority}`;
  }

  /**
   * Every lane items were ever handed to (the `lanes` set, read at most once per {@link LANES_REFRESH_MS}),
   * for leases without a workflow filter and for the priority lanes of a workflow.
   */
  async allLanes(): Promise<string[]> {
    const now = this.now();
    if (!this.#lanesRead || now - this.#lanesRead.at > LANES_REFRESH_MS) {
      this.#lanesRead = { at: now, lanes: await this.client.smembers(this.keys.lanes) };
    }
    return [...new Set([...this.#lanesRead.lanes, ...this.#knownLanes])].sort();
  }

  /** The lanes of workflow versions, each's priority lanes included, highest priority first. */
  async lanesOf(workflows: readonly { name: string; version: number }[]): Promise<string[]> {
    const bases = new Set(workflows.map((w) => this.laneOf(w.name, w.version)));
    const all = new Set([...bases, ...(await this.allLanes())]);
    return [...all]
      .filter((lane) => bases.has(lane.replace(/@p-?\d+$/, '')))
      .sort((a, b) => lanePriority(b) - lanePriority(a) || (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The key of a BullMQ job's hash: it exists while the job is waiting, delayed or active. */
  bullJobKey(lane: string, jobId: string): string {
    return `${this.keys.bullPrefix(lane)}:${lane}:${jobId}`;
  }

  /** The BullMQ queue of a lane (created on first use). */
  queue(lane: string): Queue {
    let queue = this.#queues.get(lane);
    if (!queue) {
      queue = new Queue(lane, {
        connection: this.bullConnection(false),
        prefix: this.keys.bullPrefix(lane),
      });
      queue.on('error', () => undefined);
      this.#queues.set(lane, queue);
    }
    return queue;
  }

  /** The manual-fetch worker of a lane for one lease duration; starts its stalled-job checker (lease expiry). */
  fetcher(lane: string, leaseMs: number): Fetcher {
    const key = `${leaseMs} ${lane}`;
    const existing = this.#fetchers.get(key);
    if (existing) return existing;
    const worker = new Worker(lane, null, {
      connection: this.bullConnection(true),
      prefix: this.keys.bullPrefix(lane),
      autorun: false,
      lockDuration: leaseMs,
      stalledInterval: this.#stalledIntervalMs,
      // A worker killed mid-step must never turn its items into failures: they just come back.
      maxStalledCount: Number.MAX_SAFE_INTEGER,
      drainDelay: 1,
    });
    worker.on('error', () => undefined);
    // BullMQ parses a job's data while fetching it and throws on unreadable JSON, which would fail the whole
    // fetch (and every fetch after it, as the job stays at the head of the queue). Such a job is created
    // with null data instead and marked, so the claim fails its run and sets it aside.
    const factory = worker as unknown as JobFactory;
    const createJob = factory.createJob.bind(worker);
    factory.createJob = (data, jobId) => {
      try {
        return createJob(data, jobId);
      } catch {
        const job = createJob({ ...data, data: 'null' }, jobId);
        unreadableJobs.add(job);
        return job;
      }
    };
    const fetcher: Fetcher = { worker, lane, leaseMs };
    this.#fetchers.set(key, fetcher);
    this.track(worker.startStalledCheckTimer());
    return fetcher;
  }

  /**
   * Stops fetching with a fetcher whose blocking fetch never settled: the next {@link RedisShared.fetcher}
   * call for its lane and lease duration creates a new BullMQ worker on new connections. The old worker
   * stays open until close(), as the jobs it fetched (leased, prefetched) still complete or extend through it.
   *
   * @remarks A blocking connection must not give up on a command (`maxRetriesPerRequest: null`), so after
   * its master died in a failover the driver can hold BullMQ's blocking fetch forever: the worker never
   * blocks again and anything awaiting that fetch never ends (close() did, for good).
   */
  retire(fetcher: Fetcher): void {
    const key = `${fetcher.leaseMs} ${fetcher.lane}`;
    if (this.#fetchers.get(key) !== fetcher) return;
    this.#fetchers.delete(key);
    this.#retired.push(fetcher);
  }

  /** A fetcher of the lane, any lease duration (for lock operations that do not depend on it). */
  anyFetcher(lane: string, leaseMs: number): Fetcher {
    for (const f of this.#fetchers.values()) if (f.lane === lane) return f;
    return this.fetcher(lane, leaseMs);
  }

  /** Remembers a fetched job so commit/extend/release need no extra read. */
  remember(job: Job, fetcher: Fetcher): void {
    if (job.id === undefined) return;
    const now = this.now();
    // Leases given up without commit or release (lost, abandoned) would otherwise stay here for good.
    if (this.#jobs.size >= 10_000) {
      for (const [id, entry] of this.#jobs)
        if (now - entry.at > 10 * entry.fetcher.leaseMs) this.#jobs.delete(id);
    }
    this.#jobs.set(job.id, { job, fetcher, at: now });
  }

  /**
   * Takes up to `max` prefetched jobs of the given lanes for a lease of `leaseMs`, whichever lease duration
   * fetched them (a different one gets its lock set to `leaseMs`); jobs of other lanes stay for another
   * lease call. Jobs that waited longer than a quarter of their lock go back to BullMQ instead: the lock
   * might lapse before the step could start.
   */
  async takePrefetched(max: number, leaseMs: number, lanes: ReadonlySet<string>): Promise<FetchedJob[]> {
    const now = this.now();
    const out: FetchedJob[] = [];
    const relock: Prefetched[] = [];
    const kept: Prefetched[] = [];
    while (this.#prefetched.length > 0 && out.length < max) {
      const next = this.#prefetched.shift() as Prefetched;
      if (!lanes.has(next.fetcher.lane) && now - next.lockedAt < next.fetcher.leaseMs / 4) {
        kept.push(next);
      } else if (now - next.lockedAt >= next.fetcher.leaseMs / 4) {
        this.track(next.job.moveToWait(next.token));
      } else if (next.fetcher.leaseMs === leaseMs) {
        out.push(next);
      } else {
        relock.push(next);
      }
    }
    this.#prefetched.unshift(...kept);
    const first = relock[0];
    if (first) {
      const ids = relock.map((p) => p.job.id ?? '');
      const failed = await first.fetcher.worker.extendJobLocks(
        ids,
        relock.map((p) => p.token),
        leaseMs,
      );
      for (const p of relock) if (!failed.includes(p.job.id ?? '')) out.push({ ...p, lockedAt: this.now() });
    }
    return out;
  }

  /** Forgets a job once its lease ended. */
  forget(jobId: string): void {
    this.#jobs.delete(jobId);
  }

  /** The job object for a lease (loaded from its lane when the lease came from another backend instance). */
  async job(jobId: string, lane: string): Promise<Job | undefined> {
    return this.#jobs.get(jobId)?.job ?? (await Job.fromId(this.queue(lane), jobId));
  }

  /** Keeps a background promise so close() can wait for it; its failure is swallowed. */
  track(promise: Promise<unknown>): void {
    const p = promise.catch(() => undefined);
    this.#background.add(p);
    void p.finally(() => this.#background.delete(p));
  }

  /** A fresh BullMQ lock token. */
  token(): string {
    return randomUUID();
  }

  /**
   * Hands outbox entries (`[jobId, value, ...]`, optionally ending with the server time of the script that
   * read them) to BullMQ under their deterministic job ids (BullMQ ignores ids it already holds,
   * so a repeated hand-off adds nothing). The entries stay in the outbox until their job is claimed. Due
   * times are server-clock times and the delay is computed against the server clock, so the process handing
   * the job over does not move it. (BullMQ then measures a non-zero delay with the clocks of the process that
   * adds the job and of the one that fetches it: see the README's limits.)
   *
   * @remarks The scripts check entries before returning them; an entry that still cannot be read here
   * fails its run with CORRUPT_RECORD (its run id is part of the job id) and is not handed over.
   */
  async flush(outbox: readonly string[]): Promise<void> {
    if (outbox.length < 2 || this.#closed) return;
    const jobs = new Map<string, Parameters<Queue['addBulk']>[0]>();
    // Script replies end with the server time they were made at; other callers estimate it.
    const now = outbox.length % 2 === 1 ? Number(outbox[outbox.length - 1]) : await this.serverNow();
    const unreadable: string[] = [];
    for (let i = 0; i + 1 < outbox.length; i += 2) {
      const jobId = outbox[i] as string;
      const value = outbox[i + 1] as string;
      const nl = value.indexOf('\n');
      const readyAt = Number(value.slice(0, nl));
      let item;
      try {
        item = decodeItem(value.slice(nl + 1));
      } catch {
        unreadable.push(jobId);
        continue;
      }
      if (nl < 0 || !Number.isFinite(readyAt)) {
        unreadable.push(jobId);
        continue;
      }
      const delay = Math.max(0, readyAt - now);
      const lane = this.laneOf(item.workflow, item.version, item.priority ?? 0);
      let laneJobs = jobs.get(lane);
      if (!laneJobs) {
        laneJobs = [];
        jobs.set(lane, laneJobs);
      }
      laneJobs.push({
        name: item.node,
        data: item,
        opts: { jobId, delay, removeOnComplete: true, removeOnFail: true },
      });
    }
    const newLanes = [...jobs.keys()].filter((lane) => !this.#knownLanes.has(lane));
    if (newLanes.length > 0) {
      // Recorded before the jobs exist, so a lease without a filter never misses a lane that has jobs.
      await this.client.sadd(this.keys.lanes, ...newLanes);
      for (const lane of newLanes) this.#knownLanes.add(lane);
    }
    // Each lane's jobs get their fair tags as BullMQ priorities, then are added.
    const add = async (lane: string, laneJobs: Parameters<Queue['addBulk']>[0]): Promise<void> => {
      await assignFairTags(this.client, this.keys, lane, laneJobs, (job) => (job.data as WorkItem).runId);
      await this.queue(lane).addBulk(laneJobs);
    };
    await Promise.all([
      ...[...jobs].map(([lane, laneJobs]) => add(lane, laneJobs)),
      ...unreadable.map((jobId) => this.failJob(jobId, 'an outbox entry')),
    ]);
  }

  /**
   * Fails the run of a job whose stored record is unreadable (CORRUPT_RECORD, with an error record) and sets
   * its item aside (parked for retryFailed). A job id that names no run is left to the caller.
   *
   * @returns Whether the job id named a run.
   */
  async failJob(jobId: string, what: string): Promise<boolean> {
    const ids = parseJobId(jobId);
    if (!ids) return false;
    const error = new CorruptRecordError(
      `Run ${ids.runId} has a corrupt stored record (${what} of job ${jobId}); the run was failed`,
    );
    const info = toErrorInfo(error);
    const at = this.now();
    const record = { runId: ids.runId, itemId: ids.itemId, node: '', attempt: ids.attempt, error: info, at };
    await FAIL_JOB.run(this.client, this.keys.runKeys(ids.runId), [
      ids.itemId,
      jobId,
      JSON.stringify(info),
      JSON.stringify(record),
    ]);
    return true;
  }

  /**
   * Completes (and so removes) a BullMQ job we hold the lock of; a lost lock is not an error here. A job
   * this backend fetched also fetches the next one in the same call (BullMQ's `fetchNext`), kept for the
   * next lease call: that saves the fetch round trip of every step in a busy worker. Only while this
   * process leases from one lane: with several, a job prefetched from the completed job's lane would be
   * leased before the other lanes were asked, and a busy lane (a long chain) would starve the others.
   */
  async complete(jobId: string, token: string, lane: string): Promise<void> {
    try {
      const own = this.#jobs.get(jobId);
      if (own && !this.#closed) {
        const next = await own.job.moveToCompleted(null, token, this.leasedLanes <= 1);
        if (Array.isArray(next) && next[0]) {
          const [jobData, nextId] = next as [unknown, string];
          const job = await (own.fetcher.worker as unknown as JobFactory).nextJobFromJobData(
            jobData,
            nextId,
            token,
          );
          if (job) this.#prefetched.push({ job, token, fetcher: own.fetcher, lockedAt: this.now() });
        }
      } else {
        const job = await this.job(jobId, lane);
        await job?.moveToCompleted(null, token, false);
      }
    } catch {
      // The lock lapsed: the job comes back through the stalled check and the claim script drops it.
    } finally {
      this.forget(jobId);
    }
  }

  /** Puts a job we hold back in BullMQ's wait list (a strand's carrier job whose strand another try took on). */
  async handBack(jobId: string, token: string, lane: string): Promise<void> {
    try {
      const job = await this.job(jobId, lane);
      await job?.moveToWait(token);
    } catch {
      // The lock lapsed: the stalled check returns the job anyway.
    } finally {
      this.forget(jobId);
    }
  }

  /** Completes (removes) a job we hold without fetching the next one: a stale or parked job. */
  async drop(jobId: string, token: string, lane: string): Promise<void> {
    try {
      const job = await this.job(jobId, lane);
      await job?.moveToCompleted(null, token, false);
    } catch {
      // The lock lapsed: the stalled check returns the job and the next claim drops it again.
    } finally {
      this.forget(jobId);
    }
  }

  /** Removes queued jobs of a lane (best effort: active ones stay and are dropped when claimed). */
  async remove(jobIds: readonly string[], lane: string): Promise<void> {
    if (jobIds.length === 0) return;
    const queue = this.queue(lane);
    await Promise.all(jobIds.map((id) => queue.remove(id).catch(() => 0)));
  }

  /** True once close() ran. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Closes BullMQ objects and the connections this backend created. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const fetchers = [...this.#fetchers.values(), ...this.#retired.splice(0)];
    this.#fetchers.clear();
    // Prefetched jobs go back to the queue at once rather than after their lock lapses.
    await Promise.all(
      this.#prefetched.splice(0).map((p) => p.job.moveToWait(p.token).catch(() => undefined)),
    );
    const workers = fetchers.map((f) => f.worker);
    await Promise.all(workers.map((w) => w.close(true).catch(() => undefined)));
    await Promise.all([...this.#background]);
    await Promise.all([...this.#queues.values()].map((q) => q.close().catch(() => undefined)));
    this.#queues.clear();
    this.#jobs.clear();
    await this.closeConnections();
  }
}
