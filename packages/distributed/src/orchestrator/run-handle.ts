import { CancelledError, RunStateError } from '@floxide/core';
import { errorFromInfo } from '@floxide/core/engine';
import type { RunEvent, RunInfo, RunStatus } from '../contracts/records.js';
import type { WaitOptions, WatchOptions } from './orchestrator-options.js';

/** A {@link RunInfo} whose `output` has the workflow's output type (present once the run completed). */
export type TypedRunInfo<TOutput> = Omit<RunInfo, 'output'> & { readonly output?: TOutput };

/** The orchestrator operations a {@link RunHandle} delegates to (a `DistributedOrchestrator` has them all). */
export interface RunHandleOrchestrator {
  status(runId: string): Promise<RunStatus>;
  get(runId: string): Promise<RunInfo>;
  wait(runId: string, options?: WaitOptions): Promise<RunInfo>;
  watch(runId: string, options?: WatchOptions): AsyncIterable<RunEvent>;
  pause(runId: string): Promise<RunInfo>;
  resume(runId: string): Promise<RunInfo>;
  cancel(runId: string): Promise<RunInfo>;
}

/**
 * One distributed run, typed by its workflow's output: `await handle.result()` is a `TOutput`.
 *
 * @remarks
 * A handle holds only the run id and the orchestrator: it is cheap, can be recreated at any time with
 * `orchestrator.handle(wf, runId)` (in another process too), and every method reads or changes the backend.
 *
 * @example
 * ```ts
 * const run = await orchestrator.startRun(wordCount, 'a b c');
 * const words: number = await run.result();
 * ```
 */
export class RunHandle<TOutput> {
  /** The run's id (what `orchestrator.start` returns). */
  readonly runId: string;
  readonly #orchestrator: RunHandleOrchestrator;

  constructor(orchestrator: RunHandleOrchestrator, runId: string) {
    this.#orchestrator = orchestrator;
    this.runId = runId;
  }

  /**
   * Waits for the run to finish and resolves with its output. Rejects with the run's error (rebuilt as the
   * matching `FloxideError` class, by code) when it failed, `CancelledError` when it was cancelled, and as
   * `wait` does on timeout, abort or an unknown run.
   */
  async result(options: WaitOptions = {}): Promise<TOutput> {
    const run = await this.#orchestrator.wait(this.runId, options);
    if (run.status === 'completed') return run.output as TOutput;
    if (run.status === 'cancelled') throw new CancelledError(`Run ${this.runId} was cancelled`);
    if (run.error !== undefined) throw errorFromInfo(run.error);
    throw new RunStateError(`Run ${this.runId} ended with status ${run.status} and no output`);
  }

  /** Resolves with the run's record once it is completed, failed or cancelled (see `orchestrator.wait`). */
  async wait(options: WaitOptions = {}): Promise<TypedRunInfo<TOutput>> {
    return (await this.#orchestrator.wait(this.runId, options)) as TypedRunInfo<TOutput>;
  }

  /** The run's record now, output typed. */
  async info(): Promise<TypedRunInfo<TOutput>> {
    return (await this.#orchestrator.get(this.runId)) as TypedRunInfo<TOutput>;
  }

  /** The run's status now. */
  status(): Promise<RunStatus> {
    return this.#orchestrator.status(this.runId);
  }

  /** The run's events as they happen, until its final status (see `orchestrator.watch`). */
  watch(options: WatchOptions = {}): AsyncIterable<RunEvent> {
    return this.#orchestrator.watch(this.runId, options);
  }

  /** Pauses the run (see `orchestrator.pause`). */
  pause(): Promise<RunInfo> {
    return this.#orchestrator.pause(this.runId);
  }

  /** Resumes the paused run (see `orchestrator.resume`). */
  resume(): Promise<RunInfo> {
    return this.#orchestrator.resume(this.runId);
  }

  /** Cancels the run (see `orchestrator.cancel`). */
  cancel(): Promise<RunInfo> {
    return this.#orchestrator.cancel(this.runId);
  }
}
