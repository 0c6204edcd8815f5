import { setMaxListeners } from 'node:events';
import type {
  Checkpoint,
  CheckpointJoin,
  CheckpointStatus,
  CheckpointWait,
} from '../checkpoint/checkpoint.js';
import type { CheckpointStore } from '../checkpoint/checkpoint-store.js';
import { applyFieldCommitsInPlace, planFieldCommits } from '../context/field-commits.js';
import {
  DeadlineExceededError,
  NodeError,
  NoTerminalOutputError,
  RunWaitingError,
  ValidationError,
} from '../errors/errors.js';
import { toErrorInfo } from '../errors/error-info.js';
import { isFloxideError } from '../errors/floxide-error.js';
import { noopLogger, type Logger } from '../logger/logger.js';
import { abortableSleep, abortError, neverAborted } from '../step/abort.js';
import { completeJoin } from '../step/complete-join.js';
import { causeOf, runStep, type ExecuteStepOptions } from '../step/execute-step.js';
import { signalTimeout } from '../step/signal-timeout.js';
import type {
  AdvanceOutcome,
  FailedOutcome,
  RetryOutcome,
  StepOutcome,
  StepWait,
} from '../step/step-outcome.js';
import type { JoinArrival, WorkItem } from '../step/work-item.js';
import type { AnyWorkflow } from '../workflow/workflow.js';

/** The mutable state of one local run (restored from a checkpoint on resume). */
export interface LocalRunState {
  readonly runId: string;
  readonly context: Record<string, unknown>;
  readonly queue: WorkItem[];
  readonly joins: readonly CheckpointJoin[];
  /** Steps parked on signals. */
  readonly waits: readonly CheckpointWait[];
  /** The parked step a resume delivers a signal to (its item, with the signal, is in `queue`). */
  readonly delivering?: CheckpointWait | undefined;
  readonly deadlineAt: number | undefined;
  /** Version of the stored checkpoint (0 when none). */
  readonly checkpointVersion: number;
}

/** Options of {@link runLocal}. */
export interface LocalRunOptions {
  readonly workflow: AnyWorkflow;
  readonly state: LocalRunState;
  readonly signal?: AbortSignal | undefined;
  readonly logger?: Logger | undefined;
  readonly concurrency?: number | undefined;
  readonly checkpoint?: CheckpointStore | undefined;
}

interface JoinSlot {
  readonly joinItem: JoinArrival['joinItem'];
  readonly total: number;
  readonly values: unknown[];
  readonly filled: Uint8Array;
  received: number;
}

type Output = { readonly value: unknown } | undefined;

/**
 * Synchronous steps the sequential loop runs back to back before it yields a microtask: running them
 * without an `await` each is most of the engine's speed on cheap nodes, and yielding now and then keeps
 * other runs and promise chains of the process (a cancel, say) from waiting for a long run to finish.
 */
const SYNC_STEPS_PER_YIELD = 64;

/**
 * The clock of steps without a deadline. `runStep` reads the clock only for deadlines and `durationMs`, and
 * the local engine never reads `durationMs`, so two `Date.now()` calls per step would be pure cost.
 */
const noClock = (): number => 0;

/**
 * The local engine: a FIFO queue of work items, a join table and the context state, advanced by
 * `runStep` one item at a time (or `concurrency` at once). The first terminal output wins.
 *
 * @remarks
 * A step whose node returns a plain value is applied synchronously, without a promise; the `inflight`
 * set and checkpoint saves only exist when a checkpoint store is configured.
 */
export async function runLocal(options: LocalRunOptions): Promise<unknown> {
  return new LocalRun(options).drive();
}

class LocalRun {
  private readonly workflow: AnyWorkflow;
  private readonly state: LocalRunState;
  private readonly logger: Logger;
  private readonly store: CheckpointStore | undefined;
  private readonly concurrency: number;
  /**
   * The run's own signal, given to every step when something can abort the run: the caller's signal
   * (followed through `AbortSignal.any`, which adds no listener to it, so many runs may share one) or, in a
   * parallel run, the loop itself once the run is decided. Never a module-level signal shared by runs
   * that abort. A sequential run without a caller signal cannot be aborted: its steps get the inert
   * `neverAborted`, on which Floxide registers no listener, because creating an AbortController costs
   * tens of microseconds, as much as several whole steps.
   */
  private readonly controller: AbortController | undefined;
  private readonly signal: AbortSignal;
  private readonly queue: WorkItem[];
  private head = 0;
  private readonly joins = new Map<string, JoinSlot>();
  private readonly inflight = new Set<WorkItem>();
  /** Steps parked on signals, in park order. */
  private readonly parked: CheckpointWait[];
  /** The parked step a signal is being delivered to, by item id (kept if the payload is refused). */
  private readonly delivering = new Map<string, CheckpointWait>();
  /** Why a delivered payload was refused (the run stays waiting, and then rejects with it). */
  private refusal: ValidationError | undefined;
  private version: number;
  private saving: Promise<void> | undefined;
  /**
   * One options object for every `runStep` call, its item and signal set before each: `runStep` reads its
   * options synchronously and keeps no reference to them, and a fresh object per step would be garbage.
   */
  private stepOptions: { -readonly [K in keyof ExecuteStepOptions]: ExecuteStepOptions[K] } | undefined;

  constructor(options: LocalRunOptions) {
    this.workflow = options.workflow;
    this.state = options.state;
    this.logger = options.logger ?? noopLogger;
    this.store = options.checkpoint;
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
    if (options.signal === undefined && this.concurrency === 1) {
      this.controller = undefined;
      this.signal = neverAborted;
    } else {
      const controller = new AbortController();
      this.controller = controller;
      this.signal =
        options.signal === undefined
          ? controller.signal
          : AbortSignal.any([options.signal, controller.signal]);
      // Every sleeping or awaited step in flight listens to the run's signal: a wide parallel run has many.
      if (this.concurrency > 1) setMaxListeners(0, this.signal);
    }
    this.queue = options.state.queue;
    this.version = options.state.checkpointVersion;
    this.parked = [...options.state.waits];
    const delivering = options.state.delivering;
    if (delivering !== undefined) this.delivering.set(delivering.item.itemId, delivering);
    for (const join of options.state.joins) {
      const slot = this.slotFor(join.joinItem, join.total);
      for (const [index, value] of join.values) this.fill(slot, index, value);
    }
  }

  async drive(): Promise<unknown> {
    let output: Output;
    try {
      do output = this.concurrency === 1 ? await this.sequential() : await this.parallel();
      while (output === undefined && this.expireWaits());
    } catch (error) {
      // A failing save must not hide the error that stopped the run.
      await this.save('failed', undefined, error).catch(() => undefined);
      throw error;
    }
    if (output === undefined && this.parked.length > 0) {
      await this.save('waiting');
      throw (
        this.refusal ??
        new RunWaitingError(
          this.state.runId,
          this.parked.map((wait) => wait.name),
        )
      );
    }
    if (output === undefined) {
      const pending = this.joins.size > 0 ? ` (${this.joins.size} join(s) still waiting for branches)` : '';
      const error = new NoTerminalOutputError(
        `run '${this.state.runId}' of '${this.workflow.name}' ended without a terminal output${pending}`,
      );
      await this.save('failed', undefined, error);
      throw error;
    }
    if (this.store !== undefined) await this.save('completed', output);
    return output.value;
  }

  private checkRun(): void {
    if (this.controller !== undefined && this.signal.aborted) throw abortError(this.signal.reason);
    const { deadlineAt } = this.state;
    if (deadlineAt !== undefined && Date.now() >= deadlineAt) {
      throw new DeadlineExceededError(`run '${this.state.runId}' passed its deadline`);
    }
  }

  private next(): WorkItem {
    const item = this.queue[this.head] as WorkItem;
    // Drop consumed items so a long run does not keep them all alive; compact now and then (amortised O(1)).
    (this.queue as (WorkItem | undefined)[])[this.head] = undefined;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return item;
  }

  private async sequential(): Promise<Output> {
    let syncSteps = 0;
    while (this.head < this.queue.length) {
      this.checkRun();
      let output = this.process(this.next());
      if (output instanceof Promise) {
        output = await output;
        syncSteps = 0;
      } else if (++syncSteps === SYNC_STEPS_PER_YIELD) {
        syncSteps = 0;
        await Promise.resolve();
      }
      if (output !== undefined) return output;
    }
    return undefined;
  }

  private async parallel(): Promise<Output> {
    const controller = this.controller as AbortController;
    const running = new Set<Promise<void>>();
    let output: Output;
    let failure: { error: unknown } | undefined;
    try {
      for (;;) {
        while (
          output === undefined &&
          failure === undefined &&
          running.size < this.concurrency &&
          this.head < this.queue.length
        ) {
          this.checkRun();
          const task: Promise<void> = this.processAsync(this.next()).then(
            (out) => {
              output ??= out;
            },
            (error: unknown) => {
              // Steps aborted because the run already has its output do not fail it.
              if (output === undefined) failure ??= { error };
            },
          );
          running.add(task);
          void task.finally(() => running.delete(task));
        }
        if (output !== undefined || failure !== undefined || running.size === 0) break;
        await Promise.race(running);
      }
    } catch (error) {
      failure ??= { error };
    } finally {
      // The run is decided: abort the steps still running and wait for them to let go.
      if (running.size > 0) {
        controller.abort(abortError(undefined));
        await Promise.allSettled(running);
      }
    }
    if (output !== undefined) return output;
    if (failure !== undefined) throw failure.error;
    return undefined;
  }

  /** Runs one item and applies its outcome; synchronous when the step is (see `runStep`). */
  private process(item: WorkItem): Output | Promise<Output> {
    // An item that fails or whose retry wait is aborted stays in `inflight`, so the checkpoint keeps it.
    if (this.store !== undefined) this.inflight.add(item);
    const options = (this.stepOptions ??= {
      workflow: this.workflow,
      item,
      context: this.state.context,
      logger: this.logger,
    });
    options.item = item;
    // `undefined` lets `runStep` skip reading `aborted` of a signal that cannot fire.
    options.signal = this.controller === undefined ? undefined : this.signal;
    options.now = item.deadlineAt === undefined ? noClock : Date.now;
    const outcome = runStep(options);
    return outcome instanceof Promise ? outcome.then((o) => this.apply(item, o)) : this.apply(item, outcome);
  }

  /** {@link process} as a promise: a synchronous failure becomes a rejection (the parallel loop needs one). */
  private async processAsync(item: WorkItem): Promise<Output> {
    return this.process(item);
  }

  private apply(item: WorkItem, outcome: StepOutcome): Output | Promise<Output> {
    if (outcome.kind === 'advance') {
      if (outcome.wait !== undefined) return this.park(item, outcome.wait);
      if (outcome.delayMs !== undefined || outcome.dueAt !== undefined) return this.timer(item, outcome);
      return this.advanced(item, outcome);
    }
    if (outcome.kind === 'retry') return this.retry(item, outcome);
    if (outcome.fallback.length === 0) throw this.runError(item, outcome, causeOf(outcome));
    this.logger.warn('node failed, taking its on-failure edge', {
      runId: item.runId,
      node: item.node,
      error: outcome.error.message,
    });
    for (const fallback of outcome.fallback) this.queue.push(fallback);
    this.inflight.delete(item);
    return this.store === undefined ? undefined : this.saveRunning();
  }

  private advanced(item: WorkItem, outcome: AdvanceOutcome): Output | Promise<Output> {
    if (outcome.contextOps.length > 0) {
      // The same per-field plan a distributed worker commits, so wf.run and every backend agree.
      const context = this.state.context;
      const commits = planFieldCommits(this.workflow, outcome.contextOps, (field) => ({
        state: context[field],
        version: 0,
      }));
      applyFieldCommitsInPlace(context, commits);
    }
    for (const successor of outcome.successors) this.queue.push(successor);
    for (const arrival of outcome.joins) this.arrive(arrival);
    this.inflight.delete(item);
    return this.store === undefined || outcome.output !== undefined ? outcome.output : this.saveRunning();
  }

  /**
   * A durable timer, in process: the step's successors are sent on when it is due. The wait holds the
   * step's place (the local engine has no backend to park items in), and the step's context changes apply
   * when it is due; a checkpoint taken meanwhile keeps the item, so a resumed run runs the step again.
   */
  private async timer(item: WorkItem, outcome: AdvanceOutcome): Promise<Output> {
    const waitMs = outcome.dueAt === undefined ? (outcome.delayMs ?? 0) : outcome.dueAt - Date.now();
    this.logger.debug('waiting on a timer', { runId: item.runId, node: item.node, waitMs });
    if (waitMs > 0) await abortableSleep(waitMs, this.signal);
    return this.advanced(item, outcome);
  }

  /**
   * Parks a step on a signal: nothing it did is applied, and the item waits in `parked` (and in the
   * checkpoint) until a resume delivers the signal. A delivered payload the schema refused parks the step
   * again with its first timeout, and the run rejects with the refusal once it has nothing else to do.
   */
  private park(item: WorkItem, wait: StepWait): Output | Promise<Output> {
    this.inflight.delete(item);
    const original = this.delivering.get(item.itemId);
    this.delivering.delete(item.itemId);
    const { delivered: _delivered, ...plain } = item;
    let entry: CheckpointWait;
    if (wait.refused !== undefined && original !== undefined) {
      entry = original;
      this.refusal ??= new ValidationError(wait.refused.message);
    } else {
      const timeoutAt = wait.timeoutMs === undefined ? undefined : Date.now() + wait.timeoutMs;
      entry =
        timeoutAt === undefined
          ? { item: plain, name: wait.name }
          : { item: plain, name: wait.name, timeoutAt };
    }
    this.parked.push(entry);
    this.logger.debug('waiting for a signal', { runId: item.runId, node: item.node, signal: wait.name });
    return this.store === undefined ? undefined : this.saveRunning();
  }

  /**
   * Ends the parked steps whose timeout has passed: each takes its node's on-failure edge, or fails the run
   * with a `SignalTimeoutError`. True when something was enqueued.
   */
  private expireWaits(): boolean {
    const now = Date.now();
    let enqueued = false;
    for (let i = 0; i < this.parked.length;) {
      const wait = this.parked[i] as CheckpointWait;
      if (wait.timeoutAt === undefined || wait.timeoutAt > now) {
        i++;
        continue;
      }
      this.parked.splice(i, 1);
      const { outcome, error } = signalTimeout(this.workflow, wait.item, wait.name);
      if (outcome.fallback.length === 0)
        throw new NodeError({
          node: wait.item.node,
          itemId: wait.item.itemId,
          attempt: wait.item.attempt,
          cause: error,
        });
      this.logger.warn('signal wait timed out, taking its on-failure edge', {
        runId: wait.item.runId,
        node: wait.item.node,
        signal: wait.name,
      });
      for (const fallback of outcome.fallback) this.queue.push(fallback);
      enqueued = true;
    }
    return enqueued;
  }

  private async retry(item: WorkItem, outcome: RetryOutcome): Promise<Output> {
    this.logger.warn('retrying node', {
      runId: item.runId,
      node: item.node,
      attempt: item.attempt,
      delayMs: outcome.delayMs,
      error: outcome.error.message,
    });
    await abortableSleep(outcome.delayMs, this.signal);
    this.inflight.delete(item);
    return this.process(outcome.retryItem);
  }

  private async saveRunning(): Promise<Output> {
    await this.save('running');
    return undefined;
  }

  private runError(item: WorkItem, outcome: FailedOutcome, error: unknown): unknown {
    if (isFloxideError(error) && (error.code === 'CANCELLED' || error.code === 'DEADLINE_EXCEEDED'))
      return error;
    return new NodeError({
      node: item.node,
      itemId: item.itemId,
      attempt: item.attempt,
      cause: error ?? outcome.error,
    });
  }

  private slotFor(joinItem: JoinArrival['joinItem'], total: number): JoinSlot {
    let slot = this.joins.get(joinItem.itemId);
    if (slot === undefined) {
      slot = {
        joinItem,
        total,
        values: new Array<unknown>(total),
        filled: new Uint8Array(total),
        received: 0,
      };
      this.joins.set(joinItem.itemId, slot);
    }
    return slot;
  }

  private fill(slot: JoinSlot, index: number, value: unknown): void {
    if (slot.filled[index] === 1) return;
    slot.filled[index] = 1;
    slot.values[index] = value;
    slot.received++;
  }

  private arrive(arrival: JoinArrival): void {
    const slot = this.slotFor(arrival.joinItem, arrival.total);
    this.fill(slot, arrival.index, arrival.value);
    if (slot.received === slot.total) {
      this.joins.delete(arrival.joinItem.itemId);
      this.queue.push(completeJoin({ ...arrival, joinItem: slot.joinItem }, slot.values));
    }
  }

  private save(
    status: CheckpointStatus,
    output?: { readonly value: unknown },
    error?: unknown,
  ): Promise<void> {
    const store = this.store;
    if (store === undefined) return Promise.resolve();
    this.saving = (this.saving ?? Promise.resolve()).then(() => {
      const queue: WorkItem[] = [...this.inflight];
      for (let i = this.head; i < this.queue.length; i++) queue.push(this.queue[i] as WorkItem);
      const joins: CheckpointJoin[] = [];
      for (const slot of this.joins.values()) {
        const values: [number, unknown][] = [];
        for (let i = 0; i < slot.total; i++) if (slot.filled[i] === 1) values.push([i, slot.values[i]]);
        joins.push({ joinItem: slot.joinItem, total: slot.total, values });
      }
      const checkpoint: Checkpoint = {
        version: this.version + 1,
        runId: this.state.runId,
        workflow: this.workflow.name,
        workflowVersion: this.workflow.version,
        status,
        context: this.state.context,
        queue,
        joins,
        ...(this.parked.length === 0 || status === 'completed' ? {} : { waits: [...this.parked] }),
        ...(this.state.deadlineAt === undefined ? {} : { deadlineAt: this.state.deadlineAt }),
        ...(output === undefined ? {} : { output }),
        ...(error === undefined ? {} : { error: toErrorInfo(error) }),
      };
      const expected = this.version;
      this.version++;
      return store.save(this.state.runId, checkpoint, expected);
    });
    return this.saving;
  }
}
