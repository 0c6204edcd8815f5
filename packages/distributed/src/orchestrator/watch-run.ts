import { RunNotFoundError } from '@floxide/core';
import type { Backend } from '../contracts/backend.js';
import type { RunEvent } from '../contracts/records.js';
import { sleep } from '../worker/sleep.js';

/** Options of {@link watchRun}. */
export interface WatchRunOptions {
  readonly backend: Backend;
  readonly runId: string;
  readonly signal?: AbortSignal;
  readonly pollMs?: number;
}

const PAGE = 500;

function isFinal(event: RunEvent): boolean {
  return event.type === 'run.status' && (event.status === 'completed' || event.status === 'failed' || event.status === 'cancelled');
}

/**
 * Reads a run's events after the last seen `seq`, polling when none are new, and ends after the run's
 * final status event. Throws `RunNotFoundError` when the run does not exist.
 */
export async function* watchRun(options: WatchRunOptions): AsyncGenerator<RunEvent, void, undefined> {
  const { backend, runId, signal } = options;
  const pollMs = options.pollMs ?? 25;
  if (!(await backend.runs.get(runId))) throw new RunNotFoundError(`Run ${runId} not found`);
  let lastSeq = 0;
  while (!signal?.aborted) {
    const events = await backend.events.read(runId, lastSeq, PAGE);
    for (const event of events) {
      lastSeq = event.seq;
      yield event;
      if (isFinal(event)) return;
    }
    if (events.length < PAGE) await sleep(pollMs, signal);
  }
}
