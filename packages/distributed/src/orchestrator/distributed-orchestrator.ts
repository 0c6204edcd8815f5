import {
  CancelledError,
  TimeoutError,
  noopLogger,
  type AnyWorkflow,
  type Logger,
  type WorkflowInput,
  type WorkflowOutput,
} from '@floxide/core';
import type { Backend } from '../contracts/backend.js';
import { runNotFoundError } from '../contracts/retention.js';
import type { FeedEvent } from '../contracts/change-feed.js';
import type { VersionedContext } from '../contracts/context-store.js';
import type {
  RunEvent,
  RunInfo,
  RunMetrics,
  RunStatus,
  WorkerHealth,
  WorkflowErrorRecord,
  WorkItemState,
} from '../contracts/records.js';
import type { RunListQuery, RunPage } from '../contracts/run-info-store.js';
import type { ScheduleRecord } from '../contracts/schedule-store.js';
import { WorkflowRegistry } from '../registry/workflow-registry.js';
import { classifyLiveness } from './classify-liveness.js';
import type {
  DistributedOrchestratorOptions,
  LivenessOptions,
  StartRunOptions,
  WaitOptions,
  WatchOptions,
  WorkerLiveness,
} from './orchestrator-options.js';
import { controlChildren } from './child-control.js';
import { FeedSubscription } from './feed-subscription.js';
import { prepareNewRun, startConflict } from './new-run.js';
import { startManyRuns, type StartManyEntry } from './start-many.js';
import { RunHandle, type TypedRunInfo } from './run-handle.js';
import { Schedules, type ScheduleOptions, type SchedulerHandle } from './schedules.js';
import { sendSignal, type SignalOptions } from './send-signal.js';
import type { SignalResult } from '../contracts/signal-store.js';
import { isFinalEvent, watchRun } from './watch-run.js';
import { watchRuns, type RunsFilter as WatchRunsFilter } from './watch-runs.js';

/**
 * Starts, inspects and controls distributed runs.
 *
 * @remarks
 * The orchestrator holds no state of its own: every call reads or changes the backend, so any number of
 * orchestrators (a CLI, a dashboard, an API server) can manage the same runs. `start` validates the
 * input with the workflow's schema before anything is stored. `cancel` is final: after it returns, no
 * commit of the run takes effect and in-flight nodes see their signal abort at the next heartbeat.
 *
 * @example
 * ```ts
 * const orchestrator = new DistributedOrchestrator({ backend, workflows: [orderFlow] });
 * const runId = await orchestrator.start(orderFlow, { orderId: 'o-1' }, { deadlineMs: 60_000 });
 * for await (const event of orchestrator.watch(runId)) console.log(event.type, event.node);
 * const info = await orchestrator.wait(runId);
 * ```
 */
export class DistributedOrchestrator {
  readonly #backend: Backend;
  readonly #registry: WorkflowRegistry;
  readonly #schedules: Schedules;
  readonly #feed: FeedSubscription;
  readonly #logger: Logger;

  constructor(options: DistributedOrchestratorOptions) {
    this.#backend = options.backend;
    this.#logger = options.logger ?? noopLogger;
    this.#feed = FeedSubscription.of(options.backend.feed);
    this.#registry = new WorkflowRegistry(options.workflows ?? []);
    this.#schedules = new Schedules({
      backend: options.backend,
      registry: this.#registry,
      start: (wf, input, startOptions) => this.start(wf, input, startOptions),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
  }

  /**
   * Starts a run and returns its id. The input is validated first (a `ValidationError`, or a
   * `SerializationError` for an input JSON cannot carry, stores nothing). A caller-chosen `runId` that
   * already exists returns that run's id without starting another when the workflow, version and input
   * are the same (inputs compared as canonical JSON: key order does not matter); otherwise `RunStateError`.
   */
  start<TWorkflow extends AnyWorkflow>(
    workflow: TWorkflow,
    input: WorkflowInput<TWorkflow>,
    options?: StartRunOptions,
  ): Promise<string>;
  /** Starts the latest registered version of the workflow with this name (input checked at run time only). */
  start(workflow: string, input: unknown, options?: StartRunOptions): Promise<string>;
  async start(
    workflow: AnyWorkflow | string,
    input: unknown,
    options: StartRunOptions = {},
  ): Promise<string> {
    const wf = typeof workflow === 'string' ? this.#registry.latest(workflow) : workflow;
    const newRun = prepareNewRun(wf, input, options);
    const conflict = startConflict(newRun, await this.#backend.startRun(newRun));
    if (conflict) throw conflict;
    return newRun.runId;
  }

  /**
   * Starts several runs of one workflow and returns their ids, in the order of `entries`. Every entry is
   * validated first, as `start` validates one: a bad input or option is a `ValidationError` (or
   * `SerializationError`) naming the entry's index, and nothing is stored. Each run is then started as
   * `start` starts it — atomically, idempotent by a caller-chosen `runId` — and the backend stores them
   * together where it can: PostgreSQL one transaction per 500 runs, the other backends one concurrent call
   * per run. An entry whose `runId` already belongs to another run (another workflow, version or input) is
   * a `RunStateError` naming it, thrown after the other entries were started; with caller-chosen run ids,
   * starting the same entries again after any failure is safe.
   *
   * @example
   * ```ts
   * const ids = await orchestrator.startMany(report, customers.map((c) => ({ input: { customerId: c.id }, runId: `report-${c.id}` })));
   * ```
   */
  startMany<TWorkflow extends AnyWorkflow>(
    workflow: TWorkflow,
    entries: readonly StartManyEntry<WorkflowInput<TWorkflow>>[],
  ): Promise<string[]>;
  /** Starts runs of the latest registered version of the workflow with this name (inputs checked at run time only). */
  startMany(workflow: string, entries: readonly StartManyEntry[]): Promise<string[]>;
  async startMany(workflow: AnyWorkflow | string, entries: readonly StartManyEntry[]): Promise<string[]> {
    const wf = typeof workflow === 'string' ? this.#registry.latest(workflow) : workflow;
    return startManyRuns(this.#backend, wf, entries);
  }

  /** Starts a run like `start` and returns a {@link RunHandle} typed by the workflow's output. */
  async startRun<TWorkflow extends AnyWorkflow>(
    workflow: TWorkflow,
    input: WorkflowInput<TWorkflow>,
    options?: StartRunOptions,
  ): Promise<RunHandle<WorkflowOutput<TWorkflow>>> {
    return this.handle(workflow, await this.start(workflow, input, options));
  }

  /** A {@link RunHandle} for an existing run of `workflow` (nothing is read until a method is called). */
  handle<TWorkflow extends AnyWorkflow>(
    _workflow: TWorkflow,
    runId: string,
  ): RunHandle<WorkflowOutput<TWorkflow>> {
    return new RunHandle<WorkflowOutput<TWorkflow>>(this, runId);
  }

  /** The run's status; throws `RunNotFoundError` for an unknown run. */
  async status(runId: string): Promise<RunStatus> {
    return (await this.get(runId)).status;
  }

  /** The run's record; throws `RunNotFoundError` for an unknown run. */
  async get(runId: string): Promise<RunInfo> {
    const run = await this.#backend.runs.get(runId);
    if (!run) throw notFound(runId);
    return run;
  }

  /** Runs newest first, filtered by status and workflow, paginated by cursor. */
  async runs(query: RunListQuery = {}): Promise<RunPage> {
    return this.#backend.runs.list(query);
  }

  /** The run's current context state; throws `RunNotFoundError` for an unknown run. */
  async context(runId: string): Promise<unknown> {
    return (await this.versionedContext(runId)).state;
  }

  /** The run's context state with its version; throws `RunNotFoundError` for an unknown run. */
  async versionedContext(runId: string): Promise<VersionedContext> {
    const context = await this.#backend.context.get(runId);
    if (!context) throw notFound(runId);
    return context;
  }

  /** The run's counters; throws `RunNotFoundError` for an unknown run. */
  async metrics(runId: string): Promise<RunMetrics> {
    const metrics = await this.#backend.metrics.get(runId);
    if (!metrics) throw notFound(runId);
    return metrics;
  }

  /** Every failed attempt of the run, oldest first (empty for an unknown run). */
  async errors(runId: string): Promise<WorkflowErrorRecord[]> {
    return this.#backend.errors.list(runId);
  }

  /** The state of every work item of the run, in creation order (empty for an unknown run). */
  async workItems(runId: string): Promise<WorkItemState[]> {
    return this.#backend.items.list(runId);
  }

  /** Every worker's last reported health. */
  async workers(): Promise<WorkerHealth[]> {
    return this.#backend.liveness.list();
  }

  /** Every worker with its liveness: alive, stale or dead from the age of its last heartbeat. */
  async liveness(options: LivenessOptions = {}): Promise<WorkerLiveness[]> {
    const staleAfterMs = options.staleAfterMs ?? 5_000;
    const now = options.now ?? Date.now();
    const workers = await this.#backend.liveness.list();
    return workers.map((worker) => {
      const ageMs = Math.max(0, now - worker.lastHeartbeat);
      return { worker, status: classifyLiveness(ageMs, staleAfterMs), ageMs };
    });
  }

  /**
   * Pauses a queued or running run: no new step starts until `resume` (in-flight steps may finish). Its
   * live child runs (`subflow`) are paused too.
   */
  async pause(runId: string): Promise<RunInfo> {
    return this.#control(runId, 'pause');
  }

  /** Resumes a paused run, and its paused child runs. */
  async resume(runId: string): Promise<RunInfo> {
    return this.#control(runId, 'resume');
  }

  /**
   * Cancels an unfinished run; no later commit of it takes effect. Its live child runs (`subflow`) are
   * cancelled too, and a cancelled child run fails its parent's waiting node at once (`CHILD_RUN_FAILED`).
   */
  async cancel(runId: string): Promise<RunInfo> {
    return this.#control(runId, 'cancel');
  }

  async #control(runId: string, action: 'cancel' | 'pause' | 'resume'): Promise<RunInfo> {
    const run = await this.#backend.control(runId, action);
    await controlChildren(this.#backend, run, action, this.#logger);
    return run;
  }

  /**
   * Sends the signal `name` with a JSON `payload` to a run: delivered to its oldest step parked on
   * `Transition.waitFor(name)`, else kept until a step of the run waits for it. Exactly once by
   * `options.signalId`. Throws `RunNotFoundError` for an unknown run, `RunStateError` for a finished one,
   * `ValidationError` for a payload JSON cannot store. The `waitFor` schema checks the payload when the
   * step runs with it: a refused payload leaves the step parked and an error record (code `VALIDATION`).
   *
   * @example
   * ```ts
   * await orchestrator.signal(runId, 'approval', { approved: true }, { signalId: 'mail-4711' });
   * ```
   */
  async signal(
    runId: string,
    name: string,
    payload: unknown,
    options: SignalOptions = {},
  ): Promise<SignalResult> {
    return sendSignal(this.#backend, runId, name, payload, options);
  }

  /** Revives a failed run: its dead items are enqueued again as new attempts. */
  async retryFailed(runId: string): Promise<RunInfo> {
    return this.#backend.control(runId, 'retryFailed');
  }

  /**
   * Stores a cron schedule that starts a run of `workflow` with `input` at every tick (see
   * {@link ScheduleOptions}); an existing id is redefined, keeping its fired ticks. Throws a
   * `ValidationError` for a bad cron expression, time zone or input, `BackendError` when the backend stores
   * no schedules. Runs start only while some orchestrator runs {@link startScheduler} (or
   * {@link fireSchedules}).
   *
   * @example
   * ```ts
   * await orchestrator.schedule(report, { id: 'daily-report', cron: '0 9 * * *', timezone: 'Europe/Paris', input: {} });
   * const scheduler = orchestrator.startScheduler();
   * ```
   */
  async schedule<TWorkflow extends AnyWorkflow>(
    workflow: TWorkflow,
    options: ScheduleOptions & { readonly input: WorkflowInput<TWorkflow> },
  ): Promise<ScheduleRecord> {
    return this.#schedules.schedule(workflow, options);
  }

  /** Removes a schedule (runs it started are untouched); whether it existed. */
  async unschedule(id: string): Promise<boolean> {
    return this.#schedules.unschedule(id);
  }

  /** Every stored schedule, in id order, with the latest tick fired. */
  async schedules(): Promise<ScheduleRecord[]> {
    return this.#schedules.list();
  }

  /**
   * One scheduler pass: starts every due tick of every schedule whose workflow this orchestrator knows and
   * returns the run ids. Exactly one run per tick however many orchestrators fire: a tick's run id is
   * `schedule:<id>:<tick epoch ms>`, and starting an existing run id starts nothing. Due times are judged
   * by the backend's clock (or `now`).
   */
  async fireSchedules(options: { readonly now?: number } = {}): Promise<string[]> {
    return this.#schedules.fire(options.now);
  }

  /** Calls {@link fireSchedules} every `intervalMs` (default 1 000) until the handle is stopped. */
  startScheduler(options: { readonly intervalMs?: number } = {}): SchedulerHandle {
    return this.#schedules.start(options.intervalMs ?? 1_000);
  }

  /**
   * Resolves with the run's record once it is completed, failed or cancelled. Rejects with
   * `TimeoutError` after `timeoutMs`, `CancelledError` when `signal` aborts, `RunNotFoundError` for an
   * unknown run. Given the workflow first, the record's `output` has the workflow's output type.
   *
   * @remarks Waits on the backend's change feed through the process-wide {@link FeedSubscription}: any
   * number of waiters cost the server one long poll per 1.5 s, and a waiter resolves one run-record read
   * after its run's final status event is committed (or after the backend's earlier finished-run hint,
   * see `ChangeFeed.onRunsFinished`; with no read at all when the hint carries the final record). The run is read once after the subscription holds its position, so
   * a run that finished before the call resolves at once.
   */
  wait<TWorkflow extends AnyWorkflow>(
    workflow: TWorkflow,
    runId: string,
    options?: WaitOptions,
  ): Promise<TypedRunInfo<WorkflowOutput<TWorkflow>>>;
  wait(runId: string, options?: WaitOptions): Promise<RunInfo>;
  async wait(
    first: string | AnyWorkflow,
    second?: string | WaitOptions,
    third?: WaitOptions,
  ): Promise<RunInfo> {
    // The typed form only adds the workflow for the compiler: both forms wait on the run id alone.
    if (typeof first !== 'string') return this.#waitForRun(second as string, third);
    return this.#waitForRun(first, second as WaitOptions | undefined);
  }

  async #waitForRun(runId: string, options: WaitOptions = {}): Promise<RunInfo> {
    const { signal, timeoutMs } = options;
    if (signal?.aborted)
      throw new CancelledError(`Stopped waiting for run ${runId}`, { cause: signal.reason });
    return new Promise<RunInfo>((resolve, reject) => {
      let settled = false;
      const finish = (settle: () => void): void => {
        if (settled) return;
        settled = true;
        registration.close();
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        settle();
      };
      // One run read at a time: a hint and the feed event of the same commit arrive close together, and a
      // reason to look that comes during a read is kept for one more read after it, so none is lost.
      let reading = false;
      let again = false;
      const check = (): void => {
        if (settled) return;
        if (reading) {
          again = true;
          return;
        }
        reading = true;
        this.get(runId).then(
          (run) => {
            reading = false;
            if (isFinished(run.status)) finish(() => resolve(run));
            else if (again) {
              again = false;
              check();
            }
          },
          (error: unknown) => finish(() => reject(error)),
        );
      };
      const onAbort = (): void =>
        finish(() =>
          reject(new CancelledError(`Stopped waiting for run ${runId}`, { cause: signal?.reason })),
        );
      const registration = this.#feed.subscribe({
        runId,
        onEvent: (event) => {
          if (isFinalEvent(event)) check();
        },
        // The backend's early notice of the final commit (Postgres): resolve from the committed record it
        // carries, else read the record without waiting for the ordered feed to reach the event.
        onFinishedHint: (run) => {
          if (run !== undefined && isFinished(run.status)) finish(() => resolve(run));
          else check();
        },
        // The feed trimmed events this process had not read (it fell behind by more than the backend keeps):
        // the final one may be among them, so read the run (a run deleted meanwhile rejects as not found).
        onGap: check,
      });
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(
              () =>
                finish(() => reject(new TimeoutError(`Run ${runId} did not finish within ${timeoutMs} ms`))),
              timeoutMs,
            );
      signal?.addEventListener('abort', onAbort, { once: true });
      void registration.ready.then(check);
    });
  }

  /**
   * `watch(runId)`: the run's events as they happen (step started/committed/retrying/failed, status
   * changes), from the first one, ending after the run's final status event or when `signal` aborts.
   * Throws `RunNotFoundError` for an unknown run.
   *
   * `watch({ workflow?, status? })`: every run's events from now on, each with its feed `position`,
   * optionally only runs of one workflow and/or only `run.status` events with the given statuses; ends when
   * `signal` aborts.
   *
   * @remarks Both read the backend's change feed through the process-wide {@link FeedSubscription}, shared
   * with every `wait`: watchers add no polling of their own.
   */
  watch(runId: string, options?: WatchOptions): AsyncIterable<RunEvent>;
  watch(filter?: WatchRunsFilter & WatchOptions): AsyncIterable<FeedEvent>;
  watch(
    target: string | (WatchRunsFilter & WatchOptions) = {},
    options: WatchOptions = {},
  ): AsyncIterable<RunEvent> {
    if (typeof target === 'string') {
      return watchRun({
        backend: this.#backend,
        runId: target,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    }
    return watchRuns({ backend: this.#backend, ...target });
  }
}

function isFinished(status: RunStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

function notFound(runId: string): Error {
  return runNotFoundError(runId);
}
