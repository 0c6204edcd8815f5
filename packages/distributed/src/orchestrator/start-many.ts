import {
  BackendError,
  RunStateError,
  SerializationError,
  ValidationError,
  type AnyWorkflow,
} from '@floxide/core';
import type { Backend, NewRun, StartRunResult } from '../contracts/backend.js';
import { prepareNewRun, startConflict } from './new-run.js';
import type { StartRunOptions } from './orchestrator-options.js';

/** One run of `DistributedOrchestrator.startMany`: its input and the options `start` takes for one run. */
export interface StartManyEntry<TInput = unknown> extends StartRunOptions {
  readonly input: TInput;
}

/**
 * Runs handed to the backend per call: one PostgreSQL transaction each. Large enough that a batch costs a
 * fraction of a transaction per run, small enough that one transaction's locks and one message stay short.
 */
export const START_MANY_CHUNK = 500;

/** How many conflicting run ids a `startMany` error names before it only counts the rest. */
const NAMED_CONFLICTS = 5;

/**
 * `DistributedOrchestrator.startMany`: validates every entry, then stores the runs in chunks of
 * {@link START_MANY_CHUNK} (`Backend.startRuns` where the backend has it, else concurrent `startRun`
 * calls), then reports the entries whose run id belonged to another run.
 */
export async function startManyRuns(
  backend: Backend,
  wf: AnyWorkflow,
  entries: readonly StartManyEntry[],
): Promise<string[]> {
  if (!Array.isArray(entries))
    throw new ValidationError(`startMany takes an array of { input, ...options } entries`);
  const now = Date.now();
  const newRuns = entries.map((entry: unknown, index) => prepareEntry(wf, entry, index, now));
  const results = await storeRuns(backend, newRuns);
  const conflicts: RunStateError[] = [];
  newRuns.forEach((newRun, index) => {
    const conflict = startConflict(newRun, results[index] as StartRunResult);
    if (conflict) conflicts.push(conflict);
  });
  if (conflicts.length === 1) throw conflicts[0];
  if (conflicts.length > 1) {
    const named = conflicts.slice(0, NAMED_CONFLICTS).map((conflict) => conflict.message);
    const more = conflicts.length - named.length;
    throw new RunStateError(
      `${conflicts.length} entries of startMany name runs that already exist differently (the others were started): ${named.join('; ')}${more > 0 ? `; and ${more} more` : ''}`,
    );
  }
  return newRuns.map((newRun) => newRun.runId);
}

/** One entry as `start` would prepare it; its validation errors name its index. */
function prepareEntry(wf: AnyWorkflow, entry: unknown, index: number, now: number): NewRun {
  if (typeof entry !== 'object' || entry === null || !('input' in entry))
    throw new ValidationError(`startMany entry ${index} is not an object with an input`);
  const { input, ...options } = entry as StartManyEntry;
  try {
    return prepareNewRun(wf, input, options, now);
  } catch (error) {
    throw atEntry(error, index);
  }
}

/** A validation or serialization error with its message prefixed by the entry's index (details kept); others unchanged. */
function atEntry(error: unknown, index: number): unknown {
  const prefix = `startMany entry ${index}: `;
  if (error instanceof ValidationError)
    return new ValidationError(prefix + error.message, error.issues, { cause: error });
  if (error instanceof SerializationError)
    return new SerializationError(prefix + error.message, { cause: error, path: error.path });
  return error;
}

async function storeRuns(backend: Backend, newRuns: readonly NewRun[]): Promise<StartRunResult[]> {
  const results: StartRunResult[] = [];
  for (let first = 0; first < newRuns.length; first += START_MANY_CHUNK) {
    const chunk = newRuns.slice(first, first + START_MANY_CHUNK);
    const stored = backend.startRuns
      ? await backend.startRuns(chunk)
      : await Promise.all(chunk.map((newRun) => backend.startRun(newRun)));
    if (stored.length !== chunk.length)
      throw new BackendError(
        `The backend stored ${stored.length} runs for a batch of ${chunk.length}: its startRuns is broken`,
      );
    results.push(...stored);
  }
  return results;
}
