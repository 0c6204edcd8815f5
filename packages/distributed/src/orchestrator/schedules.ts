import {
  BackendError,
  isFloxideError,
  noopLogger,
  ValidationError,
  type AnyWorkflow,
  type Logger,
} from '@floxide/core';
import type { Backend } from '../contracts/backend.js';
import type { MissedTickPolicy, ScheduleRecord, ScheduleStore } from '../contracts/schedule-store.js';
import type { WorkflowRegistry } from '../registry/workflow-registry.js';
import { checkCron, dueTicks, scheduleRunId } from './schedule-ticks.js';

/** Options of `DistributedOrchestrator.schedule`. */
export interface ScheduleOptions {
  /** The schedule's id; scheduling an existing id replaces its definition (fired ticks are kept). */
  readonly id: string;
  /** Cron expression: 5 fields (minute first), or 6 with seconds first. */
  readonly cron: string;
  /** IANA time zone the expression is read in (default `UTC`). */
  readonly timezone?: string;
  /** Input of every run the schedule starts (checked against the workflow's input schema now). */
  readonly input: unknown;
  /**
   * Ticks missed while no scheduler ran: `skip` (default) starts only the latest of them, `catchUp`
   * starts every one, oldest first (at most 1,000 per pass; the next pass goes on).
   */
  readonly missed?: MissedTickPolicy;
}

/** A running scheduler loop (`DistributedOrchestrator.startScheduler`). */
export interface SchedulerHandle {
  /** Stops the loop and waits for a pass in progress to end. */
  stop(): Promise<void>;
}

/** How a {@link Schedules} reaches the orchestrator's `start`. */
type StartFn = (workflow: AnyWorkflow, input: unknown, options: { runId: string }) => Promise<string>;

/** The schedule operations of the orchestrator (see `DistributedOrchestrator.schedule`). */
export class Schedules {
  readonly #backend: Backend;
  readonly #registry: WorkflowRegistry;
  readonly #start: StartFn;
  readonly #logger: Logger;

  constructor(options: { backend: Backend; registry: WorkflowRegistry; start: StartFn; logger?: Logger }) {
    this.#backend = options.backend;
    this.#registry = options.registry;
    this.#start = options.start;
    this.#logger = options.logger ?? noopLogger;
  }

  #store(): ScheduleStore {
    const store = this.#backend.schedules;
    if (store === undefined) throw new BackendError('this backend does not store schedules');
    return store;
  }

  async #now(): Promise<number> {
    return this.#backend.clock ? this.#backend.clock.now() : Date.now();
  }

  /** Validates and stores a schedule. */
  async schedule(workflow: AnyWorkflow, options: ScheduleOptions): Promise<ScheduleRecord> {
    if (typeof options.id !== 'string' || options.id === '')
      throw new ValidationError('a schedule needs a non-empty string id');
    const missed = options.missed ?? 'skip';
    if (missed !== 'skip' && missed !== 'catchUp')
      throw new ValidationError(`invalid missed-tick policy '${String(missed)}' (skip or catchUp)`);
    checkCron(options.cron, options.timezone);
    // The same check `start` makes, so a schedule never stores an input its runs would refuse.
    const input = workflow.createStartItem(scheduleRunId(options.id, 0), options.input).input;
    return this.#store().put({
      id: options.id,
      workflow: workflow.name,
      version: workflow.version,
      cron: options.cron,
      ...(options.timezone === undefined ? {} : { timezone: options.timezone }),
      input,
      missed,
      createdAt: await this.#now(),
    });
  }

  /** Removes a schedule; whether it existed. */
  async unschedule(id: string): Promise<boolean> {
    return this.#store().delete(id);
  }

  /** Every schedule, in id order. */
  async list(): Promise<ScheduleRecord[]> {
    return this.#store().list();
  }

  /**
   * One scheduler pass: starts the due ticks of every schedule (run id `schedule:<id>:<tick>`, so a tick
   * another orchestrator started already is not started again) and records the latest tick fired. A
   * schedule whose workflow this orchestrator does not know is left for one that does (logged).
   */
  async fire(now?: number): Promise<string[]> {
    const at = now ?? (await this.#now());
    const started: string[] = [];
    for (const record of await this.#store().list()) {
      const ticks = dueTicks(record, at);
      if (ticks.length === 0) continue;
      const wf = this.#registry.get(record.workflow, record.version);
      if (wf === undefined) {
        this.#logger.warn('schedule of an unknown workflow left for another orchestrator', {
          schedule: record.id,
          workflow: `${record.workflow}@${record.version}`,
        });
        continue;
      }
      for (const tick of ticks) {
        try {
          started.push(await this.#start(wf, record.input, { runId: scheduleRunId(record.id, tick) }));
        } catch (error) {
          // A tick whose run id holds another input (the schedule was redefined at that very tick) is
          // not started twice; anything else stops this schedule's pass and is retried next pass.
          if (isFloxideError(error) && error.code === 'RUN_STATE') continue;
          throw error;
        }
      }
      await this.#store().markFired(record.id, ticks[ticks.length - 1] as number);
    }
    return started;
  }

  /** Runs {@link fire} every `intervalMs` until stopped; a failed pass is logged and retried. */
  start(intervalMs: number): SchedulerHandle {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let pass: Promise<void> = Promise.resolve();
    const loop = (): void => {
      pass = this.fire().then(
        () => undefined,
        (error: unknown) => {
          this.#logger.warn('scheduler pass failed', { error: (error as Error).message });
        },
      );
      void pass.then(() => {
        if (!stopped) timer = setTimeout(loop, intervalMs);
      });
    };
    loop();
    return {
      stop: async () => {
        stopped = true;
        if (timer !== undefined) clearTimeout(timer);
        await pass;
      },
    };
  }
}
