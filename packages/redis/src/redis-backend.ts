import { beforeRedirectRetry, isClusterRedirect, REDIRECT_ATTEMPTS } from './cluster-redirect.js';
import {
  BackendError,
  CorruptRecordError,
  noopLogger,
  RunStateError,
  type ErrorInfo,
  type Logger,
} from '@floxide/core';
import {
  Retention,
  runNotFoundError,
  type Backend,
  type RetentionOption,
  type BackendClock,
  type CommitResult,
  type NewRun,
  type RunControl,
  type RunInfo,
  type RunStatus,
  type StartRunResult,
  type StepCommit,
} from '@floxide/distributed';
import type { Redis } from 'ioredis';
import { isCluster, type RedisClient } from './connection.js';
import { checkDurability, notReplicated, type RedisDurability } from './durability.js';
import { buildCommitArgs, type WideStage } from './commit/commit-args.js';
import { feedRetentionMs, RedisRetention } from './redis-retention.js';
import { FanoutDrain, StageEncodeError } from './fanout-drain.js';
import { decodeItem, encodeItem, jobBase, jobIdOf } from './item-codec.js';
import { parseRunIndexMember, type RedisKeys, runIndexMember, shardOf, SHARDS } from './keys.js';
import { RedisContextStore } from './redis-context-store.js';
import { RedisErrorStore } from './redis-error-store.js';
import { RedisChangeFeed } from './redis-change-feed.js';
import { RedisEventStore } from './redis-event-store.js';
import { RedisLivenessStore } from './redis-liveness-store.js';
import { RedisMetricsStore } from './redis-metrics-store.js';
import { RedisRunInfoStore } from './redis-run-info-store.js';
import { RedisSignalStore } from './redis-signal-store.js';
import { RedisScheduleStore } from './redis-schedule-store.js';
import { RedisShared } from './redis-shared.js';
import { RedisWorkItemStateStore } from './redis-work-item-state-store.js';
import { encodeError } from './redis-errors.js';
import { LeaseLimits } from './lease-limits.js';
import { parseLeaseToken, RedisWorkQueue } from './redis-work-queue.js';
import { flatToRecord, parseRunHash } from './run-hash.js';
import { COMMIT_LUA } from './scripts/generated/commit.js';
import { CONTROL_LUA } from './scripts/generated/control.js';
import { FAIL_RUN_LUA } from './scripts/generated/fail-run.js';
import { LuaScript } from './scripts/lua-script.js';
import { REINDEX_RUN_LUA } from './scripts/generated/reindex-run.js';
import { START_RUN_LUA } from './scripts/generated/start-run.js';

const START_RUN = new LuaScript(START_RUN_LUA);
const COMMIT = new LuaScript(COMMIT_LUA);
const CONTROL = new LuaScript(CONTROL_LUA);
const FAIL_RUN = new LuaScript(FAIL_RUN_LUA);
const REINDEX_RUN = new LuaScript(REINDEX_RUN_LUA);

/** Where the backend connects when given neither a client nor a URL (and `REDIS_URL` is unset). */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Options of {@link RedisBackend}. */
export interface RedisBackendOptions {
  /**
   * An ioredis client (not closed by the backend) or a `redis://` URL (the backend owns that client).
   * The client may be a single-node or Sentinel `Redis`, or a `Cluster`; every other connection the
   * backend needs (BullMQ's, the feed's long poll) is its `duplicate()`, so it reaches the same servers
   * through the same options. Default: `url`, else `REDIS_URL`, else `redis://127.0.0.1:6379`.
   */
  readonly connection?: RedisClient | string;
  /** A `redis://` URL; the spelling DESIGN.md uses (`new RedisBackend({ url })`). `connection` wins. */
  readonly url?: string;
  /** Key prefix; two prefixes never see each other's data. Default `floxide`. */
  readonly prefix?: string;
  /** Name of the BullMQ queue carrying the work items (under the same prefix). Default `work-items`. */
  readonly queueName?: string;
  /**
   * How often BullMQ's stalled-job check runs: an expired lease comes back within about
   * `leaseMs + 2 × stalledIntervalMs`. Default 1000.
   */
  readonly stalledIntervalMs?: number;
  /** How often a leasing backend flushes outboxes left by crashed processes; 0 disables. Default 5000. */
  readonly sweepIntervalMs?: number;
  /**
   * A sweep re-sends only outbox entries due longer ago than this (ms) whose BullMQ job is gone; younger ones
   * may still be on their way. Default 30000.
   */
  readonly sweepGraceMs?: number;
  /** Active runs a sweep visits per tick (the rest on later ticks). Default 500. */
  readonly sweepBatch?: number;
  /**
   * Successors one script materialises. A step with more successors than this (a wide fan-out) stages them,
   * commits in constant work and materialises them in batches of this size. Default 1000.
   */
  readonly fanoutBatch?: number;
  /**
   * How long a fan-out's drain owns it after each batch (ms): when its process dies, another process's
   * sweeper carries on after this. Default 10000.
   */
  readonly fanoutLeaseMs?: number;
  /**
   * This process's clock (epoch ms), `Date.now` by default; used for lease bookkeeping and wait bounds only.
   * Due times (retry delays, resumed and re-sent jobs) and status times come from the Redis server clock,
   * so a process whose clock is off never moves them. Tests inject a skewed clock here.
   */
  readonly now?: () => number;
  /**
   * Make every acknowledged state change (run start, step commit, control, failRun) wait until this many
   * replicas hold it (`WAIT`), so a failover to one of them loses no acknowledged change. Without it
   * (the default) replication is asynchronous: a failover can lose the last changes the old master
   * acknowledged (see the README). A change too few replicas confirm in `timeoutMs` fails with a
   * retryable BackendError (it is applied on the master and idempotent: the retry is a duplicate).
   */
  readonly durability?: RedisDurability;
  /**
   * Where connection trouble is reported: one warning when the connection is lost, one info line when it is
   * back (never the URL). Default: silent.
   */
  readonly logger?: Logger;
  /**
   * How long finished runs are kept before they, every key they own and their BullMQ jobs are deleted
   * (default `DEFAULT_RETENTION`: completed and cancelled 7 days, failed 30 days); `false` keeps every run.
   * The sweeper of leasing processes deletes due runs (at most `sweepBatch` per workflow and status per tick).
   * It also trims the change feed (`feed`) by age (see `feedRetentionMs`). With `false` the feed is bounded
   * by its length cap only (about 100 000 entries per shard), as are runs.
   */
  readonly retention?: RetentionOption;
  /**
   * How long change-feed entries are kept (ms, Redis server clock) when `retention` is on: the sweeper drops
   * older ones, so Redis memory stays flat under a steady load once this time (and that of the runs) has
   * passed. Default: the shortest retention time of the policy, but at least 30 s (`Infinity`: the
   * length cap only). A `wait` or `watch` whose process falls further behind is told of the gap and
   * re-reads its run. Ignored with `retention: false`.
   */
  readonly feedRetentionMs?: number;
}

/**
 * The Redis {@link Backend}: BullMQ carries the work items, run state lives in hash-tagged Redis keys,
 * and every state change is one Lua script.
 *
 * @remarks
 * - Leases are BullMQ job locks (lock duration = `leaseMs`); an expired lock is returned to the queue by
 *   BullMQ's stalled-job check, and retries are BullMQ delayed jobs, so nothing waits in a worker's memory.
 * - `commit` is one script over the run's keys, idempotent by `(itemId, attempt)`: duplicates and commits
 *   for cancelled or finished runs change nothing. Successors go to a per-run outbox inside the script and
 *   are then handed to BullMQ under deterministic job ids, so a crash between the two neither loses nor
 *   duplicates them: the redelivered job commits as `duplicate` and its claim flushes the outbox.
 * - Driver failures surface as `BackendError` (`retryable` for connection errors) without connection
 *   strings or passwords.
 *
 * @example
 * ```ts
 * const backend = new RedisBackend({ connection: 'redis://127.0.0.1:6379', prefix: 'shop' });
 * const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
 * const worker = new DistributedWorker({ backend, workflows: [wf], concurrency: 8 });
 * await worker.start();
 * const info = await orchestrator.wait(await orchestrator.start(wf, input));
 * await worker.close();
 * await backend.close();
 * ```
 */
export class RedisBackend implements Backend {
  readonly queue: RedisWorkQueue;
  readonly runs: RedisRunInfoStore;
  readonly metrics: RedisMetricsStore;
  readonly errors: RedisErrorStore;
  readonly liveness: RedisLivenessStore;
  readonly schedules: RedisScheduleStore;
  readonly signals: RedisSignalStore;
  readonly items: RedisWorkItemStateStore;
  readonly context: RedisContextStore;
  readonly events: RedisEventStore;
  readonly feed: RedisChangeFeed;
  /** The Redis server clock (`TIME`), as workers read it to judge run deadlines. */
  readonly clock: BackendClock;
  /** The key prefix this backend reads and writes. */
  readonly prefix: string;
  /** The key layout of {@link prefix} (see {@link RedisKeys}): for tools and tests reading keys directly. */
  readonly keys: RedisKeys;
  /**
   * The base name of the BullMQ queues carrying the work items: one queue (lane) per workflow version, named
   * by {@link RedisBackend.bullQueueName} (keys `<prefix>:{<prefix>/<lane>}:<lane>:*`, one slot per lane).
   */
  readonly queueName: string;
  readonly #shared: RedisShared;
  readonly #fanouts: FanoutDrain;
  /** Commits end the lease entries of limited workflows (see LeaseLimits). */
  readonly #limits: LeaseLimits;
  readonly #sweepIntervalMs: number;
  readonly #durability: RedisDurability | undefined;
  readonly #retention: RedisRetention | undefined;
  #sweeper?: NodeJS.Timeout;

  constructor(options: RedisBackendOptions = {}) {
    this.prefix = options.prefix ?? 'floxide';
    this.#durability = checkDurability(options.durability);
    this.queueName = options.queueName ?? 'work-items';
    const shared = new RedisShared({
      connection: options.connection ?? options.url ?? process.env['REDIS_URL'] ?? DEFAULT_REDIS_URL,
      prefix: this.prefix,
      queueName: this.queueName,
      stalledIntervalMs: options.stalledIntervalMs ?? 1_000,
      ...(options.now === undefined ? {} : { now: options.now }),
    });
    this.#shared = shared;
    this.keys = shared.keys;
    watchConnection(shared.client, options.logger ?? noopLogger);
    this.#sweepIntervalMs = options.sweepIntervalMs ?? 5_000;
    const retention = Retention.of(options.retention);
    this.#retention =
      retention &&
      new RedisRetention(
        shared,
        retention,
        options.sweepBatch ?? 500,
        feedRetentionMs(retention, options.feedRetentionMs),
      );
    this.#limits = new LeaseLimits(shared);
    this.#fanouts = new FanoutDrain(shared, {
      batch: options.fanoutBatch ?? 1_000,
      leaseMs: options.fanoutLeaseMs ?? 10_000,
    });
    this.queue = new RedisWorkQueue(shared, {
      fanouts: this.#fanouts,
      ...(options.sweepGraceMs === undefined ? {} : { sweepGraceMs: options.sweepGraceMs }),
      ...(options.sweepBatch === undefined ? {} : { sweepBatch: options.sweepBatch }),
    });
    this.runs = new RedisRunInfoStore(shared);
    this.metrics = new RedisMetricsStore(shared);
    this.errors = new RedisErrorStore(shared);
    this.liveness = new RedisLivenessStore(shared);
    this.schedules = new RedisScheduleStore(shared);
    this.signals = new RedisSignalStore({
      shared,
      durability: this.#durability,
      endLimit: (item, jobId) => this.#limits.end(item, jobId),
    });
    this.items = new RedisWorkItemStateStore(shared);
    this.context = new RedisContextStore(shared);
    this.events = new RedisEventStore(shared);
    this.feed = new RedisChangeFeed(shared);
    this.clock = { now: () => shared.serverNow() };
    const lease = this.queue.lease.bind(this.queue);
    // The sweeper runs only in processes that lease (workers), starting with their first lease call.
    this.queue.lease = async (opts) => {
      this.#startSweeper();
      return lease(opts);
    };
  }

  /**
   * The BullMQ queue carrying the items of one workflow version and run priority:
   * `<queueName>.<version>.<encoded name>`, with `@p<priority>` appended for a priority other than 0. A worker
   * fetches only from the queues of the workflows it runs, so it never takes a job it cannot run.
   */
  bullQueueName(workflow: string, version: number, priority = 0): string {
    return this.#shared.laneOf(workflow, version, priority);
  }

  /** Stores the run, its context and start item atomically; idempotent by run id. */
  async startRun(run: NewRun): Promise<StartRunResult> {
    const s = this.#shared;
    return s.guard('startRun', async () => {
      const control = JSON.stringify({
        runId: run.runId,
        workflow: run.workflow,
        version: run.version,
        createdAt: run.createdAt,
        ...(run.deadlineAt === undefined ? {} : { deadlineAt: run.deadlineAt }),
        ...(run.parentRunId === undefined ? {} : { parentRunId: run.parentRunId }),
        itemId: run.startItem.itemId,
        node: run.startItem.node,
        base: jobBase(run.runId, run.startItem.itemId),
      });
      const keys = s.keys.runKeys(run.runId);
      let args: string[];
      try {
        args = [
          control,
          JSON.stringify(run.input) ?? 'null',
          JSON.stringify(run.context) ?? 'null',
          encodeItem(run.startItem),
        ];
      } catch (error) {
        throw encodeError(error, 'startRun');
      }
      // Index first (one pipeline, one round trip): a crash leaves at worst an index entry without a run,
      // which listing skips, never a run that listing or the sweeper cannot find. The indexes are those of
      // the run's shard: the pipeline touches one hash slot (keys.ts).
      const shard = shardOf(run.runId);
      const d = this.#durability;
      const send = async () => {
        const pipeline = s.client
          .pipeline()
          .zadd(s.keys.runs(shard), 0, runIndexMember(run.createdAt, run.runId))
          .sadd(s.keys.active(shard), run.runId);
        // A run with a deadline is failed by the sweeper once it passes, even if no worker touches it.
        if (run.deadlineAt !== undefined) pipeline.zadd(s.keys.deadlines(shard), run.deadlineAt, run.runId);
        pipeline.evalsha(START_RUN.sha, keys.length, ...keys, ...args);
        if (d) pipeline.call('WAIT', d.replicas, d.timeoutMs);
        return (await pipeline.exec()) ?? [];
      };
      let results = await send();
      // With WAIT in it, ioredis does not follow the pipeline's MOVED during a Cluster failover (see
      // cluster-redirect.ts): nothing of it ran, it is sent again. (Without, ioredis does it.)
      for (let attempt = 1; isClusterRedirect(results[0]?.[0]) && attempt < REDIRECT_ATTEMPTS; attempt += 1) {
        await beforeRedirectRetry(s.client, attempt);
        results = await send();
      }
      const scriptAt = d ? results.length - 2 : results.length - 1;
      for (const [error] of results.slice(0, scriptAt)) if (error) throw error;
      const [scriptError, scriptReply] = results[scriptAt] ?? [new Error('missing reply'), undefined];
      if (scriptError && !scriptError.message.includes('NOSCRIPT')) throw scriptError;
      if (d && !scriptError) {
        const [waitError, acked] = results[results.length - 1] ?? [null, 0];
        if (waitError) throw waitError;
        if (Number(acked) < d.replicas) throw notReplicated(d, Number(acked));
      }
      // NOSCRIPT (first use, or the server restarted): the script is sent in full once.
      const reply = (scriptError ? await START_RUN.run(s.client, keys, args, d) : scriptReply) as [
        number,
        string[],
        string[],
      ];
      const [created, runHash, outbox] = reply;
      await s.flush(outbox);
      return { created: created === 1, run: parseRunHash(flatToRecord(runHash)) as RunInfo };
    });
  }

  /** Records one step atomically and exactly once; see `Backend.commit`. */
  async commit(step: StepCommit): Promise<CommitResult> {
    const s = this.#shared;
    const item = step.lease.item;
    const { lockToken, jobId } = parseLeaseToken(step.lease.token);
    const leaseJobId = jobId || jobIdOf(item);
    const outcome = step.outcome;
    const wideSuccessors =
      outcome.kind === 'advance' &&
      outcome.output === undefined &&
      // A step with a durable timer carries its successors in the commit (their due time is the commit's).
      outcome.delayMs === undefined &&
      outcome.dueAt === undefined &&
      this.#fanouts.isWide(outcome.successors.length)
        ? outcome.successors
        : undefined;
    let built: ReturnType<typeof buildCommitArgs>;
    let wide: WideStage | undefined;
    if (wideSuccessors) {
      // A wide fan-out's successors go to a stage list first (bounded commands); the commit registers it.
      // (guard passes Floxide errors through: an unencodable value stays a non-retryable encode error.)
      wide = await s.guard('commit', () =>
        this.#fanouts.stage(item.runId, wideSuccessors).catch((error: unknown) => {
          throw error instanceof StageEncodeError ? encodeError(error.reason, 'commit') : error;
        }),
      );
    }
    try {
      built = buildCommitArgs(s.keys, step, leaseJobId, wide, {
        carried: leaseJobId !== jobIdOf(item),
        ...(step.strand && lockToken ? { token: lockToken } : {}),
      });
    } catch (error) {
      throw encodeError(error, 'commit');
    }
    const { keys, args } = built;
    const reply = (await s.guard('commit', () => COMMIT.run(s.client, keys, args, this.#durability))) as [
      string,
      RunStatus,
      string[],
      string[],
      string | number | null,
    ];
    const [status, runStatus, outbox, dropped, strand] = reply;
    if (status === 'conflict') return { status: 'conflict' };
    if (status === 'restage') {
      throw new BackendError(`Redis commit: the staged successors of ${item.itemId} were incomplete`, {
        retryable: true,
      });
    }
    if (status === 'corrupt') {
      // The script checked every record before writing: nothing of the step was applied, the run is failed.
      throw new CorruptRecordError(
        `Run ${item.runId} has a corrupt stored record (${runStatus as string}); the step was not committed and the run was failed`,
      );
    }
    // After the script the step is durable. The hand-off to BullMQ and the job's completion run side by
    // side (one round trip): if this process dies in between, the outbox keeps the successors and the
    // sweeper (or the redelivered job's claim) hands them over again under the same job ids. Failures here
    // are recovered the same way, so they do not undo the commit's result.
    // A rejected step keeps its job, as any lease: the worker releases it (or its lock lapses) and the next
    // claim parks it (failed run, kept for retryFailed) or drops it (cancelled or completed run).
    // A strand goes on under the job (the commit leased the next item, or an earlier try of a duplicate
    // did): it stays ours, or goes back to BullMQ so its redelivery resumes the strand; never completed.
    // A strand stays in one run, so the carrier job's lane is the lane of the item it is on.
    const lane = s.laneOf(item.workflow, item.version, item.priority ?? 0);
    const next = status === 'committed' && typeof strand === 'string' ? decodeItem(strand) : undefined;
    const release =
      status === 'rejected' || next
        ? Promise.resolve()
        : Promise.all([
            status === 'duplicate' && strand === 1
              ? s.handBack(leaseJobId, lockToken, lane)
              : s.complete(leaseJobId, lockToken, lane),
            this.#limits.end(item, leaseJobId).catch(() => undefined),
          ]);
    // A wide fan-out is materialised now, batch by batch (see FanoutDrain), in the background: the commit
    // returns once the fan-out is registered, so neither this call nor the worker that awaits it holds the N
    // successors while they drain (held, 100,000 branches kept ~30 MB live for the whole drain, and V8 let
    // the heap grow to several times that). close() waits for the drain; if this process dies midway,
    // another process's sweeper carries on.
    if (wide && status === 'committed') s.track(this.#fanouts.drain(item.runId, wide.token));
    await Promise.all([
      s.flush(outbox).catch(() => undefined),
      release,
      s.remove(dropped, lane).catch(() => undefined),
    ]);
    if (status === 'duplicate') return { status: 'duplicate' };
    if (status === 'rejected') return { status: 'rejected', runStatus };
    if (!next) return { status: 'committed', runStatus };
    // The strand's lease is the carrier job's BullMQ lock, kept alive by the worker's heartbeat.
    return {
      status: 'committed',
      runStatus,
      next: {
        item: next,
        token: step.lease.token,
        workerId: step.lease.workerId,
        expiresAt: step.lease.expiresAt,
      },
    };
  }

  /** Pauses, resumes, cancels or revives a run; throws RunNotFoundError / RunStateError. */
  async control(runId: string, action: RunControl): Promise<RunInfo> {
    const s = this.#shared;
    const cancelError: ErrorInfo = {
      name: 'CancelledError',
      code: 'CANCELLED',
      message: `Run ${runId} was cancelled`,
    };
    const reply = (await s.guard(`control(${action})`, () =>
      CONTROL.run(
        s.client,
        s.keys.runKeys(runId),
        [action, 0, JSON.stringify(cancelError)],
        this.#durability,
      ),
    )) as [string, ...unknown[]];
    const [verdict] = reply;
    if (verdict === 'missing') throw runNotFoundError(runId);
    if (verdict === 'corrupt') {
      const run = parseRunHash(flatToRecord(reply[2] as string[])) as RunInfo;
      // The script failed an unfinished run for it: the caller sees that outcome. A finished run stays as
      // it was and the action cannot proceed.
      if (reply[3] === 1) return run;
      throw new CorruptRecordError(
        `Cannot ${action} run ${runId}: its stored record (${reply[1] as string}) is corrupt`,
      );
    }
    if (verdict === 'state') {
      const status = reply[1] as string;
      if (status === 'nothing') {
        throw new RunStateError(`Cannot retry run ${runId}: it has no failed items to run again`);
      }
      throw new RunStateError(`Cannot ${action} run ${runId}: it is ${status}`);
    }
    const [, runHash, outbox, dropped] = reply as [string, string[], string[], string[]];
    await s.guard(`control(${action})`, async () => {
      if (action === 'resume' || action === 'retryFailed')
        await s.client.sadd(s.keys.active(shardOf(runId)), runId);
      const h = flatToRecord(runHash);
      const lanes = await s.lanesOf([{ name: h['workflow'] ?? '', version: Number(h['version']) }]);
      await Promise.all([s.flush(outbox), ...lanes.map((lane) => s.remove(dropped, lane))]);
      // A wide fan-out held while the run was failed (or one whose drain died) carries on in the background.
      if (action === 'resume' || action === 'retryFailed') s.track(this.#fanouts.drainRun(runId));
    });
    return parseRunHash(flatToRecord(runHash)) as RunInfo;
  }

  /** Fails an unfinished run with an error record; no-op for finished or missing runs. */
  async failRun(runId: string, error: ErrorInfo): Promise<void> {
    const s = this.#shared;
    const at = s.now();
    const record = JSON.stringify({ runId, itemId: '', node: '', attempt: 0, error, at });
    await s.guard('failRun', () =>
      FAIL_RUN.run(s.client, s.keys.runKeys(runId), [JSON.stringify(error), record, at], this.#durability),
    );
  }

  /**
   * Files every stored run in the run list indexes (by status, workflow, both, run id) under its stored
   * status; returns how many runs were indexed.
   *
   * @remarks The indexes are kept by the scripts that create runs and change statuses. Runs stored by a
   * release without them are in the `<prefix>:runs` index only, so they are missing from filtered lists
   * and prefix searches until this runs once after the upgrade (`floxide`'s own lists never scan instead).
   * Idempotent and safe while workers run: each run is re-filed by one script, atomically with its status.
   */
  async rebuildRunIndexes(): Promise<number> {
    const s = this.#shared;
    return s.guard('rebuildRunIndexes', async () => {
      let indexed = 0;
      for (const shard of SHARDS) indexed += await this.#reindexShard(shard);
      return indexed;
    });
  }

  async #reindexShard(shard: number): Promise<number> {
    const s = this.#shared;
    let indexed = 0;
    let lower = '-';
    for (;;) {
      const members = await s.client.zrangebylex(s.keys.runs(shard), lower, '+', 'LIMIT', 0, 500);
      if (members.length === 0) return indexed;
      const calls = members.map((m) => {
        const { runId } = parseRunIndexMember(m);
        return { keys: s.keys.runKeys(runId), args: [runId] };
      });
      for (const result of await REINDEX_RUN.runSettled(s.client, calls)) {
        if (result.error) throw result.error;
        indexed += Number(result.value);
      }
      lower = `(${members[members.length - 1] as string}`;
    }
  }

  /** Stops the sweeper and closes BullMQ objects and the connections the backend created. */
  async close(): Promise<void> {
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#sweeper = undefined;
    await this.feed.close();
    await this.#shared.close();
  }

  /**
   * Deletes now the finished runs whose retention time passed (at most `sweepBatch` per workflow and status)
   * with every key they own and their BullMQ jobs, and trims the change feed's entries older than
   * `feedRetentionMs`; returns how many runs it deleted. 0 with `retention: false`.
   */
  async deleteExpiredRuns(): Promise<number> {
    const retention = this.#retention;
    return retention ? this.#shared.guard('retention', () => retention.sweep()) : 0;
  }

  /**
   * Deletes every key of this backend's prefix (tests and tooling; never called implicitly). On a Cluster
   * every master is scanned and keys are deleted one by one (a multi-key UNLINK must stay in one slot).
   */
  async destroyAllData(): Promise<void> {
    const s = this.#shared;
    await s.guard('destroyAllData', async () => {
      const client = s.client;
      const nodes: Redis[] = isCluster(client) ? client.nodes('master') : [client];
      for (const node of nodes) {
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'MATCH', s.keys.pattern, 'COUNT', 1000);
          cursor = next;
          if (keys.length === 0) continue;
          if (isCluster(client)) await Promise.all(keys.map((key) => client.unlink(key)));
          else await node.unlink(...keys);
        } while (cursor !== '0');
      }
    });
  }

  #startSweeper(): void {
    if (this.#sweeper || this.#sweepIntervalMs <= 0 || this.#shared.closed) return;
    let inFlight = false;
    const sweep = (): void => {
      // A tick that finds the previous sweep still running is skipped: sweeps never pile up.
      if (this.#shared.closed || inFlight) return;
      inFlight = true;
      this.#shared.track(
        Promise.allSettled([this.queue.sweep(), this.deleteExpiredRuns()]).finally(() => {
          inFlight = false;
        }),
      );
    };
    this.#sweeper = setInterval(sweep, this.#sweepIntervalMs);
    this.#sweeper.unref();
    sweep();
  }
}

// ioredis emits an error per reconnect attempt: report the loss once and the recovery once, not every retry.
function watchConnection(client: RedisClient, logger: Logger): void {
  let healthy = true;
  client.on('error', (error: Error & { code?: unknown }) => {
    if (!healthy) return;
    healthy = false;
    logger.warn('redis connection lost; reconnecting', {
      code: typeof error.code === 'string' ? error.code : error.name,
    });
  });
  client.on('ready', () => {
    if (healthy) return;
    healthy = true;
    logger.info('redis connection restored');
  });
}
