import type { Backend, RunStatus } from '@floxide/distributed';

/** Statuses whose runs can still hold queued items. */
const ACTIVE: readonly RunStatus[] = ['queued', 'running', 'paused'];

/** At most this many active runs are counted per status, so one request stays bounded. */
const MAX_RUNS_PER_STATUS = 500;

/** Work waiting in the queue, summed over unfinished runs. */
export interface QueueDepth {
  /** Items queued, delayed or leased (not committed yet). */
  readonly outstanding: number;
  /** Of those, items waiting for a worker (queued or delayed; excludes leased ones). */
  readonly waiting: number;
  /** Items leased by a worker right now. */
  readonly leased: number;
  /** Unfinished runs looked at. */
  readonly runs: number;
  /** True when more than {@link MAX_RUNS_PER_STATUS} runs of one status exist and the count is partial. */
  readonly partial: boolean;
}

/**
 * Counts the queue's outstanding items over every queued, running and paused run.
 *
 * @remarks Backend-generic: built from `runs.list`, `queue.pending` and `items.list`, so it costs one read
 * per unfinished run (bounded by {@link MAX_RUNS_PER_STATUS} per status).
 */
export async function queueDepth(backend: Backend): Promise<QueueDepth> {
  let outstanding = 0;
  let leased = 0;
  let runs = 0;
  let partial = false;
  for (const status of ACTIVE) {
    let cursor: string | undefined;
    let seen = 0;
    do {
      const page = await backend.runs.list({
        status,
        limit: 100,
        ...(cursor === undefined ? {} : { cursor }),
      });
      for (const run of page.runs) {
        const items = await backend.queue.pending(run.runId);
        outstanding += items.length;
        const states = await backend.items.list(run.runId);
        leased += states.filter((s) => s.status === 'running').length;
      }
      runs += page.runs.length;
      seen += page.runs.length;
      cursor = page.nextCursor;
    } while (cursor !== undefined && seen < MAX_RUNS_PER_STATUS);
    if (cursor !== undefined) partial = true;
  }
  return { outstanding, waiting: Math.max(0, outstanding - leased), leased, runs, partial };
}
