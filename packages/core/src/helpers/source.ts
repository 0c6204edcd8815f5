import { abortError } from '../step/abort.js';
import type { RunOptions, Workflow } from '../workflow/workflow.js';

/** Options of {@link Source.run}. */
export interface SourceRunOptions<TContext> {
  /** Stops the source: the current run is cancelled and iteration ends with its CancelledError. */
  readonly signal?: AbortSignal;
  /** Options of every run (context, deadline, …); `runId` is derived per input when `runIdPrefix` is set. */
  readonly runOptions?: Omit<RunOptions<TContext>, 'signal' | 'runId'>;
  /** Run ids become `<prefix>-<index>`. */
  readonly runIdPrefix?: string;
}

/** Drives runs of one workflow from a stream of inputs. */
export interface Source<TInput, TOutput, TContext> {
  /** Runs the workflow once per input, in order, yielding each output; the first failure ends iteration. */
  run(
    inputs: AsyncIterable<TInput> | Iterable<TInput>,
    options?: SourceRunOptions<TContext>,
  ): AsyncGenerator<TOutput, void, undefined>;
}

/**
 * Turns a workflow into a driver of runs from an (async) iterable of inputs: timers, queues, files.
 *
 * @example
 * ```ts
 * for await (const output of source(wf).run(ticks())) console.log(output);
 * ```
 */
export function source<TInput, TOutput, TContext>(
  workflow: Workflow<TInput, TOutput, TContext>,
): Source<TInput, TOutput, TContext> {
  return {
    async *run(inputs, options = {}) {
      let index = 0;
      for await (const input of inputs) {
        if (options.signal?.aborted) throw abortError(options.signal.reason);
        const runId = options.runIdPrefix === undefined ? undefined : `${options.runIdPrefix}-${index}`;
        index++;
        yield await workflow.run(input, {
          ...options.runOptions,
          ...(options.signal === undefined ? {} : { signal: options.signal }),
          ...(runId === undefined ? {} : { runId }),
        });
      }
    },
  };
}
