import { runNotFoundError } from '../contracts/retention.js';
import type { Backend } from '../contracts/backend.js';
import type { FeedEvent } from '../contracts/change-feed.js';
import type { RunEvent } from '../contracts/records.js';
import { FeedSubscription } from './feed-subscription.js';
import { LiveQueue } from './live-queue.js';

/** Options of {@link watchRun}. */
export interface WatchRunOptions {
  readonly backend: Backend;
  readonly runId: string;
  readonly signal?: AbortSignal;
}

const PAGE = 500;
const GAP = 'gap' as const;

/** True for a `run.status` event that ends the run. */
export function isFinalEvent(event: RunEvent): boolean {
  return (
    event.type === 'run.status' &&
    (event.status === 'completed' || event.status === 'failed' || event.status === 'cancelled')
  );
}

/** The stored shape of a feed event (without its feed position), as the run's history returns it. */
function toRunEvent(event: FeedEvent): RunEvent {
  const { position: _position, ...rest } = event;
  return rest;
}

/**
 * A run's events from the first one, ending after its final status event or when `signal` aborts. Throws
 * `RunNotFoundError` when the run does not exist.
 *
 * @remarks History comes from the run's event store; live events come from the process-wide
 * {@link FeedSubscription}, so a watcher adds no polling of its own. Events are yielded in `seq` order,
 * each once: a live event that does not follow the last one yielded (the feed moved on while history was
 * read) sends the watcher back to the event store, which fills the gap; so does a gap the feed reports
 * (events trimmed before the shared reader got them), or `RunNotFoundError` when retention deleted the run.
 */
export async function* watchRun(options: WatchRunOptions): AsyncGenerator<RunEvent, void, undefined> {
  const { backend, runId, signal } = options;
  if (!(await backend.runs.get(runId))) throw runNotFoundError(runId);
  // `GAP`: the feed trimmed events before the reader got them (see FeedListener.onGap).
  const live = new LiveQueue<FeedEvent | typeof GAP>(signal);
  const registration = FeedSubscription.of(backend.feed).subscribe({
    runId,
    onEvent: (e) => live.push(e),
    onGap: () => live.push(GAP),
  });
  try {
    if (!(await live.until(registration.ready))) return;
    let lastSeq = 0;
    let catchUp = true;
    while (!signal?.aborted) {
      if (catchUp) {
        const events = await backend.events.read(runId, lastSeq, PAGE);
        for (const event of events) {
          if (event.seq <= lastSeq) continue;
          lastSeq = event.seq;
          yield event;
          if (isFinalEvent(event)) return;
        }
        if (events.length === PAGE) continue;
        catchUp = false;
      }
      for (let event = live.shift(); event; event = live.shift()) {
        if (event === GAP) {
          // Events of this run may be lost from the feed: the event store has them, unless retention
          // deleted the run meanwhile.
          if (!(await backend.runs.get(runId))) throw runNotFoundError(runId);
          catchUp = true;
          break;
        }
        if (event.seq <= lastSeq) continue;
        if (event.seq !== lastSeq + 1) {
          catchUp = true;
          break;
        }
        lastSeq = event.seq;
        yield toRunEvent(event);
        if (isFinalEvent(event)) return;
      }
      if (!catchUp) await live.next();
    }
  } finally {
    registration.close();
    live.close();
  }
}
