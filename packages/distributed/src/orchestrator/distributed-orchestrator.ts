import { randomUUID } from 'node:crypto';
import {
  CancelledError,
  RunNotFoundError,
  RunStateError,
  TimeoutError,
  type AnyWorkflow,
} from '@floxide/core';
import type { Backend } from '../contracts/backend.js';
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
import { WorkflowRegistry } from '../registry/workflow-registry.js';
import { sleep } from '../worker/sleep.js';
import { classifyLiveness } from './classify-liveness.js';
import type {
  DistributedOrchestratorOptions,
  LivenessOptions,
  StartRunOptions,
  WaitOptions,
  WatchOptions,
  WorkerLiveness,
} from './orchestrator-options.js';
import { canonicalJson } from './canonical-json.js';
import { watchRun } from './watch-run.js';

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

  constructor(options: DistributedOrchestratorOptions) {
    this.#backend = options.backend;
    this.#registry = new WorkflowRegistry(options.workflows ?? []);
  }

  /**
   * Starts a run and returns its id. The input is validated first (a `ValidationError`, or a
   * `SerializationError` for an input JSON cannot carry, stores nothing). A caller-chosen `runId` that
   * already exists returns that run's id without starting another when the workflow, version and input
   * are the same (inputs compared as canonical JSON: key order does not matter); otherwise `RunStateError`.
   */
  async start(workflow: AnyWorkflow | string, input: unknown, options: StartRunOptions = {}): Promise<string> {
    const wf = typeof workflow === 'string' ? this.#registry.latest(workflow) : workflow;
    const runId = options.runId ?? randomUUID();
    const createdAt = Date.now();
    const deadlineAt = options.deadlineMs === undefined ? undefined : createdAt + options.deadlineMs;
    const startItem = wf.createStartItem(runId, input, deadlineAt === undefined ? {} : { deadlineAt });
    const context = wf.initialContext(options.context);
    const { created, run } = await this.#backend.startRun({
      runId,
      workflow: wf.name,
      version: wf.version,
      // The input as stored: what JSON keeps of it (the start item holds the same).
      input: startItem.input,
      context,
      startItem,
      createdAt,
      ...(deadlineAt === undefined ? {} : { deadlineAt }),
    });
    if (!created && (run.workflow !== wf.name || run.version !== wf.version)) {
      throw new RunStateError(`Run id ${runId} already belongs to workflow '${run.workflow}' version ${run.version}`);
    }
    if (!created && canonicalJson(run.input) !== canonicalJson(startItem.input)) {
      throw new RunStateError(`Run id ${runId} already exists with a different input`);
    }
    return runId;
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

  /** Pauses a queued or running run: no new step starts until `resume` (in-flight steps may finish). */
  async pause(runId: string): Promise<RunInfo> {
    return this.#backend.control(runId, 'pause');
  }

  /** Resumes a paused run. */
  async resume(runId: string): Promise<RunInfo> {
    return this.#backend.control(runId, 'resume');
  }

  /** Cancels an unfinished run; no later commit of it takes effect. */
  async cancel(runId: string): Promise<RunInfo> {
    return this.#backend.control(runId, 'cancel');
  }

  /** Revives a failed run: its dead items are enqueued again as new attempts. */
  async retryFailed(runId: string): Promise<RunInfo> {
    return this.#backend.control(runId, 'retryFailed');
  }

  /**
   * Resolves with the run's record once it is completed, failed or cancelled. Rejects with
   * `TimeoutError` after `timeoutMs`, `CancelledError` when `signal` aborts, `RunNotFoundError` for an
   * unknown run.
   */
  async wait(runId: string, options: WaitOptions = {}): Promise<RunInfo> {
    const pollMs = options.pollMs ?? 25;
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    for (;;) {
      const run = await this.get(runId);
      if (run.status === 'completed' || run.status === 'failed' || run.status === 'cancelled') return run;
      if (options.signal?.aborted) throw new CancelledError(`Stopped waiting for run ${runId}`, { cause: options.signal.reason });
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new TimeoutError(`Run ${runId} did not finish within ${options.timeoutMs} ms`);
      await sleep(Math.min(pollMs, remaining), options.signal);
    }
  }

  /**
   * The run's events as they happen (step started/committed/retrying/failed, status changes), from the
   * first one, ending after the run's final status event or when `signal` aborts.
   */
  watch(runId: string, options: WatchOptions = {}): AsyncIterable<RunEvent> {
    return watchRun({ backend: this.#backend, runId, ...options });
  }
}

function notFound(runId: string): RunNotFoundError {
  return new RunNotFoundError(`Run ${runId} not found`);
}
