import type { Backend } from '../contracts/backend.js';
import type { WorkQueue } from '../contracts/work-queue.js';

/**
 * A real backend with some members replaced, to inject faults (a failing lease, a corrupt record) in
 * front of it. Every other call goes to `inner` unchanged.
 */
export function wrapBackend(inner: Backend, overrides: Partial<Backend>): Backend {
  return {
    queue: inner.queue,
    runs: inner.runs,
    metrics: inner.metrics,
    errors: inner.errors,
    liveness: inner.liveness,
    items: inner.items,
    context: inner.context,
    events: inner.events,
    feed: inner.feed,
    ...(inner.clock ? { clock: inner.clock } : {}),
    startRun: (run) => inner.startRun(run),
    commit: (step) => inner.commit(step),
    control: (runId, action) => inner.control(runId, action),
    failRun: (runId, error) => inner.failRun(runId, error),
    close: () => inner.close(),
    ...overrides,
  };
}

/** A real queue with some methods replaced. */
export function wrapQueue(inner: WorkQueue, overrides: Partial<WorkQueue>): WorkQueue {
  return {
    enqueue: (items, options) => inner.enqueue(items, options),
    lease: (options) => inner.lease(options),
    extend: (lease, leaseMs) => inner.extend(lease, leaseMs),
    release: (lease, options) => inner.release(lease, options),
    purgeRun: (runId) => inner.purgeRun(runId),
    pending: (runId) => inner.pending(runId),
    ...overrides,
  };
}
