import type { Backend } from '../contracts/backend.js';
import type { FeedEvent } from '../contracts/change-feed.js';
import type { RunStatus } from '../contracts/records.js';
import { FeedSubscription } from './feed-subscription.js';
import { LiveQueue } from './live-queue.js';

/** Which events {@link watchRuns} yields. */
export interface RunsFilter {
  /** Only events of runs of this workflow (by name). */
  readonly workflow?: string;
  /** Only `run.status` events with one of these statuses (e.g. `'failed'` for a feed of failures). */
  readonly status?: RunStatus | readonly RunStatus[];
}

/** Options of {@link watchRuns}. */
export interface WatchRunsOptions extends RunsFilter {
  readonly backend: Backend;
  /** Ends the iteration (no error). */
  readonly signal?: AbortSignal;
}

/** Runs whose workflow name is remembered, so a filter by workflow reads each run once. */
const WORKFLOW_CACHE = 10_000;

/**
 * Every run's events from now on, in feed order, filtered by workflow and status; ends when `signal`
 * aborts (without it, never).
 *
 * @remarks Reads the process-wide {@link FeedSubscription}: no polling of its own. A workflow filter reads
 * each new run's record once (to learn its workflow); events of a run deleted meanwhile are skipped.
 */
export async function* watchRuns(options: WatchRunsOptions): AsyncGenerator<FeedEvent, void, undefined> {
  const { backend, signal } = options;
  const statuses = options.status === undefined ? undefined : new Set<string>([options.status].flat());
  const workflows = new Map<string, string | null>();
  const live = new LiveQueue<FeedEvent>(signal);
  const registration = FeedSubscription.of(backend.feed).subscribe({
    onEvent: (event) => {
      if (
        statuses &&
        !(event.type === 'run.status' && event.status !== undefined && statuses.has(event.status))
      )
        return;
      live.push(event);
    },
  });
  try {
    if (!(await live.until(registration.ready))) return;
    while (!signal?.aborted) {
      for (let event = live.shift(); event; event = live.shift()) {
        if (
          options.workflow !== undefined &&
          (await workflowOf(backend, workflows, event.runId)) !== options.workflow
        ) {
          continue;
        }
        yield event;
        if (signal?.aborted) return;
      }
      await live.next();
    }
  } finally {
    registration.close();
    live.close();
  }
}

async function workflowOf(
  backend: Backend,
  cache: Map<string, string | null>,
  runId: string,
): Promise<string | null> {
  const known = cache.get(runId);
  if (known !== undefined) return known;
  const name = (await backend.runs.get(runId))?.workflow ?? null;
  if (cache.size >= WORKFLOW_CACHE) cache.clear();
  cache.set(runId, name);
  return name;
}
