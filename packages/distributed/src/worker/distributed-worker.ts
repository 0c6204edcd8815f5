import { hostname } from 'node:os';
import { CancelledError, noopLogger, type Logger } from '@floxide/core';
import { toErrorInfo } from '@floxide/core/engine';
import type { Backend } from '../contracts/backend.js';
import type { WorkerHealth } from '../contracts/records.js';
import type { Lease, WorkflowRef } from '../contracts/work-queue.js';
import { WorkflowRegistry } from '../registry/workflow-registry.js';
import { defaultWorkerId } from './default-worker-id.js';
import type { CloseOptions, DistributedWorkerOptions, WorkerStats } from './distributed-worker-options.js';
import { Backoff, sleep, yieldToEventLoop } from './sleep.js';
import { EventLogCache } from './step-context.js';
import {
  runLeasedStep,
  type AbortReason,
  type InFlightStep,
  type StepRunnerOptions,
  type StrandPolicy,
} from './step-runner.js';

/** An empty lease answer faster than this makes the loop pause that long (guards against busy polling). */
const MIN_EMPTY_LEASE_MS = 20;

/**
 * Longest stretch the lease loop runs without letting timers and I/O callbacks in. An in-process backend
 * answers every call with resolved promises, so with work always ready the loop would otherwise never
 * leave the microtask queue: heartbeats, lease extensions and `close` would wait for the whole backlog.
 */
const YIELD_EVERY_MS = 5;

/** Looked up once: the host name does not change while the process lives. */
const HOST = hostname();

/** One slot's work: a strand of steps, `step` being the one running now. */
interface Flight {
  step: InFlightStep;
  done: Promise<void>;
  /** When the slot leased the strand's first item (this process's clock): its leases are fresh until then + `leaseMs`. */
  readonly since: number;
}

/**
 * Leases work items from a backend, runs their nodes and commits the steps.
 *
 * @remarks
 * A background heartbeat (every `heartbeatMs`) reports the worker's health and extends the lease of
 * every running step whose strand began at least one beat ago (younger ones hold fresh leases); a run
 * cancelled meanwhile, or a lease lost, aborts that step's `ctx.signal` — within two beats.
 * Retries become durable delayed items in the backend, never timers here, so a worker may die at any
 * instant: its leases lapse and another worker takes the items over (at-least-once execution,
 * exactly-once commit). Idle workers long-poll the queue instead of spinning.
 *
 * With strands on (the default), a step's commit leases the run's next item to this worker, which runs it
 * in the same slot at once; the slot goes back to the queue after `strandMaxSteps` steps or
 * `strandMaxMs`, or as soon as a commit returns no next item (a pause, cancel, fan-in or end of the run).
 *
 * @example
 * ```ts
 * const worker = new DistributedWorker({ backend, workflows: [orderFlow], concurrency: 8 });
 * await worker.start();
 * process.on('SIGTERM', () => void worker.close({ graceMs: 10_000 }));
 * ```
 */
export class DistributedWorker {
  /** This worker's unique id, as seen in leases and heartbeats. */
  readonly id: string;
  readonly #backend: Backend;
  readonly #logger: Logger;
  readonly #concurrency: number;
  readonly #leaseMs: number;
  readonly #heartbeatMs: number;
  readonly #idleWaitMs: number;
  readonly #runner: StepRunnerOptions;
  readonly #strands: boolean;
  readonly #strandMaxSteps: number;
  readonly #strandMaxMs: number;
  /** The workflow versions this worker leases items of (its registered ones in the queues it serves). */
  readonly #leaseFilter: readonly WorkflowRef[];
  readonly #inFlight = new Map<number, Flight>();
  #slotSeq = 0;
  #processed = 0;
  #errors = 0;
  #startedAt = 0;
  #phase: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  #leaseAbort = new AbortController();
  #loop: Promise<void> | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #beating: Promise<void> | undefined;
  #slotFreed: (() => void) | undefined;
  #closing: Promise<void> | undefined;
  #starting: Promise<void> | undefined;

  constructor(options: DistributedWorkerOptions) {
    this.id = options.id ?? defaultWorkerId();
    this.#backend = options.backend;
    this.#logger = options.logger ?? noopLogger;
    this.#concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#heartbeatMs = options.heartbeatMs ?? 1_000;
    this.#idleWaitMs = options.idleWaitMs ?? 1_000;
    this.#strands = options.strands ?? true;
    this.#strandMaxSteps = Math.max(1, Math.floor(options.strandMaxSteps ?? 64));
    this.#strandMaxMs = Math.max(0, options.strandMaxMs ?? 500);
    const registry = new WorkflowRegistry(options.workflows);
    this.#leaseFilter = registry.leaseFilter(options.queues);
    this.#runner = {
      backend: options.backend,
      registry,
      logger: this.#logger,
      workerId: this.id,
      unknownWorkflowDelayMs: options.unknownWorkflowDelayMs ?? 2_000,
      reportedUnknown: new Set(),
      maxHandBacks: Math.max(1, Math.floor(options.maxHandBacks ?? 10)),
      handBacks: new Map(),
      eventLogs: new EventLogCache(),
      childCheckMs: Math.max(1, options.childCheckMs ?? 30_000),
    };
  }

  /** Counters since start: steps processed and errors seen. */
  get stats(): WorkerStats {
    return { processed: this.#processed, errors: this.#errors };
  }

  /** Item ids running right now. */
  get currentItems(): string[] {
    return [...this.#inFlight.values()].map((f) => f.step.lease.item.itemId);
  }

  /**
   * Sends the first heartbeat, then starts the heartbeat timer and the lease loop. Idempotent; a start
   * that failed (backend unreachable) can be tried again on the same worker.
   */
  start(): Promise<void> {
    this.#starting ??= this.#start().catch((error: unknown) => {
      this.#starting = undefined;
      throw error;
    });
    return this.#starting;
  }

  async #start(): Promise<void> {
    if (this.#phase !== 'new') return;
    this.#startedAt = Date.now();
    // The first heartbeat doubles as a connectivity check: a worker that cannot reach its backend fails
    // to start instead of looping on errors.
    await this.#backend.liveness.heartbeat({ ...this.#health(), status: 'idle' });
    if (this.#phase !== 'new') return;
    this.#phase = 'running';
    this.#heartbeatTimer = setInterval(() => this.#tick(), this.#heartbeatMs);
    this.#loop = this.#run();
  }

  /**
   * Stops leasing, lets in-flight steps finish within `graceMs`, then aborts the rest and releases their
   * leases, and sends a final `stopped` heartbeat. Idempotent; resolves when nothing is left running.
   */
  close(options: CloseOptions = {}): Promise<void> {
    this.#closing ??= this.#close(options.graceMs ?? 10_000);
    return this.#closing;
  }

  async #close(graceMs: number): Promise<void> {
    // Let a start in progress settle first, so its timer and loop exist before we stop them.
    await this.#starting?.catch(() => undefined);
    if (this.#phase === 'new') {
      this.#phase = 'stopped';
      return;
    }
    this.#phase = 'stopping';
    this.#leaseAbort.abort();
    this.#slotFreed?.();
    await this.#loop;
    if (this.#inFlight.size > 0) {
      const grace = new AbortController();
      await Promise.race([this.#allDone(), sleep(graceMs, grace.signal)]);
      grace.abort();
    }
    for (const flight of this.#inFlight.values()) this.#abort(flight.step, 'shutdown');
    await this.#allDone();
    clearInterval(this.#heartbeatTimer);
    await this.#beating;
    this.#phase = 'stopped';
    try {
      await this.#backend.liveness.heartbeat(this.#health());
    } catch (error) {
      this.#logger.warn('final heartbeat failed', { workerId: this.id, error: toErrorInfo(error) });
    }
  }

  async #allDone(): Promise<void> {
    await Promise.all([...this.#inFlight.values()].map((f) => f.done));
  }

  async #run(): Promise<void> {
    const backoff = new Backoff(100, 5_000);
    let yieldedAt = Date.now();
    while (this.#phase === 'running') {
      if (Date.now() - yieldedAt >= YIELD_EVERY_MS) {
        await yieldToEventLoop();
        yieldedAt = Date.now();
        continue;
      }
      const free = this.#concurrency - this.#inFlight.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => (this.#slotFreed = resolve));
        this.#slotFreed = undefined;
        continue;
      }
      let leases: Lease[];
      const began = Date.now();
      try {
        leases = await this.#backend.queue.lease({
          workerId: this.id,
          leaseMs: this.#leaseMs,
          max: free,
          waitMs: this.#idleWaitMs,
          signal: this.#leaseAbort.signal,
          workflows: this.#leaseFilter,
        });
        backoff.reset();
      } catch (error) {
        this.#errors += 1;
        this.#logger.error('lease failed; backing off', { workerId: this.id, error: toErrorInfo(error) });
        await sleep(backoff.next(), this.#leaseAbort.signal);
        continue;
      }
      for (const lease of leases) {
        if (this.#phase === 'running') this.#launch(lease);
        else await this.#giveBack(lease);
      }
      if (leases.length === 0 && Date.now() - began < MIN_EMPTY_LEASE_MS) {
        // A backend that answers "nothing" at once instead of long-polling must not spin this loop.
        await sleep(MIN_EMPTY_LEASE_MS, this.#leaseAbort.signal);
      }
    }
  }

  #launch(lease: Lease): void {
    const slot = (this.#slotSeq += 1);
    const flight: Flight = {
      step: { lease, controller: new AbortController() },
      done: Promise.resolve(),
      since: Date.now(),
    };
    this.#inFlight.set(slot, flight);
    flight.done = this.#runStrand(flight)
      .catch((error: unknown) => {
        // runLeasedStep never throws; this keeps a bug there from becoming an unhandled rejection.
        this.#errors += 1;
        this.#logger.error('step runner failed', {
          itemId: flight.step.lease.item.itemId,
          error: toErrorInfo(error),
        });
      })
      .finally(() => {
        this.#inFlight.delete(slot);
        this.#slotFreed?.();
      });
  }

  /**
   * Runs the flight's step, then every next item its commits lease to this worker, until a commit returns
   * none or the strand's budget (steps, milliseconds) is spent.
   */
  async #runStrand(flight: Flight): Promise<void> {
    const began = Date.now();
    let yieldedAt = began;
    for (let steps = 1; ; steps += 1) {
      const policy: StrandPolicy = () =>
        this.#strands &&
        this.#phase === 'running' &&
        steps < this.#strandMaxSteps &&
        Date.now() - began < this.#strandMaxMs
          ? { leaseMs: this.#leaseMs }
          : undefined;
      const result = await runLeasedStep(this.#runner, flight.step, policy);
      if (result.processed) this.#processed += 1;
      if (result.error) this.#errors += 1;
      const next = result.next;
      if (!next) return;
      if (this.#phase !== 'running') {
        await this.#giveBack(next);
        return;
      }
      flight.step = { lease: next, controller: new AbortController() };
      // Same reason as the lease loop's: an in-process backend would otherwise keep timers out.
      if (Date.now() - yieldedAt >= YIELD_EVERY_MS) {
        await yieldToEventLoop();
        yieldedAt = Date.now();
      }
    }
  }

  async #giveBack(lease: Lease): Promise<void> {
    try {
      await this.#backend.queue.release(lease);
    } catch (error) {
      this.#logger.warn('could not release lease at shutdown', {
        itemId: lease.item.itemId,
        error: toErrorInfo(error),
      });
    }
  }

  #abort(flight: InFlightStep, reason: AbortReason): void {
    if (flight.reason !== undefined) return;
    flight.reason = reason;
    const message =
      reason === 'cancelled'
        ? `run ${flight.lease.item.runId} was cancelled`
        : reason === 'lost'
          ? `lease on item ${flight.lease.item.itemId} was lost`
          : `worker ${this.id} is shutting down`;
    flight.controller.abort(new CancelledError(message));
  }

  #tick(): void {
    // A slow backend must not pile heartbeats up: skip a beat while the previous one runs.
    if (this.#beating) return;
    this.#beating = this.#beat().finally(() => (this.#beating = undefined));
  }

  async #beat(): Promise<void> {
    try {
      await this.#backend.liveness.heartbeat(this.#health());
    } catch (error) {
      this.#logger.warn('heartbeat failed', { workerId: this.id, error: toErrorInfo(error) });
    }
    const now = Date.now();
    await Promise.all(
      [...this.#inFlight.values()].map(async ({ step, since }) => {
        // A strand younger than one beat holds leases taken less than a beat ago, at least 3 beats long
        // (the lease call's or its commit's): extending them now buys nothing, and a short step would pay
        // one more transaction for it. The next beat extends it (and sees a cancel) if it still runs.
        if (now - since < this.#heartbeatMs && this.#leaseMs >= 3 * this.#heartbeatMs) return;
        try {
          const state = await this.#backend.queue.extend(step.lease, this.#leaseMs);
          if (state !== 'active') this.#abort(step, state);
        } catch (error) {
          this.#logger.warn('lease extension failed', {
            itemId: step.lease.item.itemId,
            error: toErrorInfo(error),
          });
        }
      }),
    );
  }

  #health(): WorkerHealth {
    const busy = this.#inFlight.size > 0;
    return {
      workerId: this.id,
      host: HOST,
      pid: process.pid,
      startedAt: this.#startedAt,
      lastHeartbeat: Date.now(),
      status:
        this.#phase === 'running'
          ? busy
            ? 'busy'
            : 'idle'
          : this.#phase === 'stopping'
            ? 'stopping'
            : 'stopped',
      currentItems: this.currentItems,
      processed: this.#processed,
      errors: this.#errors,
    };
  }
}
