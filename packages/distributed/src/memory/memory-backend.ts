import { CancelledError, RunStateError, type ErrorInfo } from '@floxide/core';
import { toErrorInfo } from '@floxide/core/engine';
import type {
  Backend,
  CommitResult,
  NewRun,
  RunControl,
  StartRunResult,
  StepCommit,
} from '../contracts/backend.js';
import type { BackendClock } from '../contracts/backend-clock.js';
import { Retention, runNotFoundError, type RetentionOption } from '../contracts/retention.js';
import type { RunInfo } from '../contracts/records.js';
import { MemoryChangeFeed } from './memory-change-feed.js';
import { commitStep } from './memory-commit.js';
import { MemoryContextStore } from './memory-context-store.js';
import { MemoryErrorStore } from './memory-error-store.js';
import { MemoryEventStore } from './memory-event-store.js';
import { MemoryLivenessStore } from './memory-liveness-store.js';
import { MemoryMetricsStore } from './memory-metrics-store.js';
import { MemoryRunInfoStore } from './memory-run-info-store.js';
import { MemoryScheduleStore } from './memory-schedule-store.js';
import { refreshWaits } from './memory-signals.js';
import { MemorySignalStore } from './memory-signal-store.js';
import { copy, isFinished, MemoryState, type RunRecord } from './memory-state.js';
import { MemoryWorkItemStateStore } from './memory-work-item-state-store.js';
import { MemoryWorkQueue } from './memory-work-queue.js';

/** Options of {@link MemoryBackend}. */
export interface MemoryBackendOptions {
  /** Clock (epoch ms); defaults to `Date.now`. Tests may pass a controllable one. */
  readonly now?: () => number;
  /**
   * How long finished runs are kept before they and everything they own are deleted (default
   * `DEFAULT_RETENTION`: completed and cancelled 7 days, failed 30 days); `false` keeps every run.
   */
  readonly retention?: RetentionOption;
  /** How often due runs are deleted (ms, default 1 000). */
  readonly retentionSweepMs?: number;
  /**
   * Change-feed events kept at least (default 100 000, about what the Redis feed keeps): the feed is trimmed
   * to this many once it holds twice as many, so a long-lived backend's memory stays bounded.
   */
  readonly feedMaxLength?: number;
}

/**
 * The in-memory {@link Backend}: every store in `Map`s of one process.
 *
 * @remarks
 * Each operation runs synchronously inside, so it is atomic with respect to every other call, and the
 * commit semantics are exactly those of {@link Backend.commit}: idempotent by `(itemId, attempt)`,
 * rejected for finished runs, context changes applied per field. It is the embedded default for
 * tests, demos and single-process deployments; state is lost when the process exits.
 *
 * @example
 * ```ts
 * const backend = new MemoryBackend();
 * const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
 * const worker = new DistributedWorker({ backend, workflows: [wf], concurrency: 4 });
 * await worker.start();
 * const runId = await orchestrator.start(wf, input);
 * const info = await orchestrator.wait(runId);
 * await worker.close();
 * ```
 */
export class MemoryBackend implements Backend {
  readonly queue: MemoryWorkQueue;
  readonly runs: MemoryRunInfoStore;
  readonly metrics: MemoryMetricsStore;
  readonly errors: MemoryErrorStore;
  readonly liveness: MemoryLivenessStore;
  readonly items: MemoryWorkItemStateStore;
  readonly context: MemoryContextStore;
  readonly events: MemoryEventStore;
  readonly feed: MemoryChangeFeed;
  readonly schedules: MemoryScheduleStore;
  readonly signals: MemorySignalStore;
  /** The clock the memory state judges due times by (`options.now`, default `Date.now`). */
  readonly clock: BackendClock;
  readonly #state: MemoryState;
  #sweeper: NodeJS.Timeout | undefined;

  constructor(options: MemoryBackendOptions = {}) {
    const state = new MemoryState(options.now ?? Date.now);
    this.#state = state;
    this.queue = new MemoryWorkQueue(state);
    this.runs = new MemoryRunInfoStore(state);
    this.metrics = new MemoryMetricsStore(state);
    this.errors = new MemoryErrorStore(state);
    this.liveness = new MemoryLivenessStore(state);
    this.items = new MemoryWorkItemStateStore(state);
    this.context = new MemoryContextStore(state);
    this.events = new MemoryEventStore(state);
    this.feed = new MemoryChangeFeed(state);
    this.schedules = new MemoryScheduleStore();
    this.signals = new MemorySignalStore(state);
    this.clock = { now: async () => state.now() };
    state.retention = Retention.of(options.retention);
    if (options.feedMaxLength !== undefined)
      state.feedMaxLength = Math.max(1, Math.floor(options.feedMaxLength));
    if (state.retention) {
      this.#sweeper = setInterval(
        () => state.expireRuns(state.now()),
        Math.max(1, options.retentionSweepMs ?? 1_000),
      );
      this.#sweeper.unref();
    }
  }

  /** Stores a queued run with its context and start item; an existing run id returns it unchanged. */
  async startRun(newRun: NewRun): Promise<StartRunResult> {
    const state = this.#state;
    const existing = state.runs.get(newRun.runId);
    if (existing) return { created: false, run: copy(existing.info) };
    const info: RunRecord['info'] = {
      runId: newRun.runId,
      workflow: newRun.workflow,
      version: newRun.version,
      status: 'queued',
      input: copy(newRun.input),
      createdAt: newRun.createdAt,
      ...(newRun.deadlineAt === undefined ? {} : { deadlineAt: newRun.deadlineAt }),
      ...(newRun.parentRunId === undefined ? {} : { parentRunId: newRun.parentRunId }),
    };
    const run: RunRecord = {
      info,
      context: {
        state: { ...(copy(newRun.context) as Record<string, unknown> | undefined) },
        version: 0,
        fieldVersions: new Map(),
      },
      metrics: { totalItems: 0, completed: 0, failed: 0, retries: 0, running: 0, nodes: new Map() },
      errors: [],
      events: [],
      items: new Map(),
      queue: new Map(),
      parked: [],
      committed: new Set(),
      joins: new Map(),
      outstanding: 0,
    };
    state.addRun(run);
    state.event(run, { at: newRun.createdAt, type: 'run.status', status: 'queued' });
    state.enqueue(run, newRun.startItem, 0, state.now());
    return { created: true, run: copy(info) };
  }

  /** Records one step atomically and exactly once (see {@link Backend.commit}). */
  async commit(step: StepCommit): Promise<CommitResult> {
    return commitStep(this.#state, step);
  }

  /** Pauses, resumes, cancels or revives a run; throws RunNotFoundError / RunStateError. */
  async control(runId: string, action: RunControl): Promise<RunInfo> {
    const state = this.#state;
    const run = state.runs.get(runId);
    if (!run) throw runNotFoundError(runId);
    const status = run.info.status;
    const at = state.now();
    const refuse = (): never => {
      throw new RunStateError(`Cannot ${action} run ${runId}: it is ${status}`);
    };
    switch (action) {
      case 'pause':
        if (status !== 'queued' && status !== 'running' && status !== 'waiting') refuse();
        state.setStatus(run, 'paused', at);
        break;
      case 'resume':
        if (status !== 'paused') refuse();
        state.setStatus(run, 'running', at);
        state.unpark(run);
        // Resumed with nothing but parked items: back to `waiting`.
        refreshWaits(state, run, at);
        break;
      case 'cancel':
        if (isFinished(status)) refuse();
        run.info.error = toErrorInfo(new CancelledError(`Run ${runId} was cancelled`));
        state.setStatus(run, 'cancelled', at);
        state.purge(run);
        break;
      case 'retryFailed':
        if (status !== 'failed') refuse();
        this.#revive(run, at);
        break;
    }
    return copy(run.info);
  }

  /** Fails an unfinished run with an error record; no-op for finished or missing runs. */
  async failRun(runId: string, error: ErrorInfo): Promise<void> {
    const state = this.#state;
    const run = state.runs.get(runId);
    if (!run || isFinished(run.info.status)) return;
    const at = state.now();
    run.errors.push({ runId, itemId: '', node: '', attempt: 0, error: copy(error), at });
    state.failRun(run, copy(error), at);
  }

  /** Drops all state and wakes waiting lease calls so they return. */
  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    this.#state.clear();
  }

  #revive(run: RunRecord, at: number): void {
    const state = this.#state;
    const dead = [...run.items.values()].filter((r) => r.state.status === 'dead');
    if (dead.length === 0 && run.outstanding === 0) {
      throw new RunStateError(`Cannot retry run ${run.info.runId}: it has no failed items to run again`);
    }
    delete run.info.error;
    delete run.info.finishedAt;
    state.setStatus(run, 'running', at);
    for (const record of dead)
      state.enqueue(run, { ...record.item, attempt: record.item.attempt + 1 }, 0, at);
    state.unpark(run);
  }
}
