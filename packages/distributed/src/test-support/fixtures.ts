import type { ErrorInfo } from '@floxide/core';
import type { AdvanceOutcome, FailedOutcome, RetryOutcome, WorkItem } from '@floxide/core/engine';
import type { NewRun } from '../contracts/backend.js';
import type { Lease } from '../contracts/work-queue.js';

/** A hand-built work item of the `test@1` workflow. */
export function makeItem(runId: string, itemId: string, overrides: Partial<WorkItem> = {}): WorkItem {
  return {
    itemId,
    runId,
    workflow: 'test',
    version: 1,
    node: 'n',
    input: null,
    attempt: 1,
    branches: [],
    ...overrides,
  };
}

/** A new-run record whose start item is `${runId}:start`. */
export function makeRun(runId: string, overrides: Partial<NewRun> = {}): NewRun {
  return {
    runId,
    workflow: 'test',
    version: 1,
    input: { n: 1 },
    context: { hits: 0 },
    startItem: makeItem(runId, `${runId}:start`, { node: 'start' }),
    createdAt: 1_000,
    ...overrides,
  };
}

/** An advance outcome with the given successors / output / joins. */
export function advance(parts: Partial<AdvanceOutcome> = {}): AdvanceOutcome {
  return {
    kind: 'advance',
    transition: 'next',
    successors: [],
    joins: [],
    contextOps: [],
    durationMs: 1,
    ...parts,
  };
}

/** An error info with code NODE_FAILED. */
export const boom: ErrorInfo = { name: 'Error', code: 'NODE_FAILED', message: 'boom' };

/** A retry outcome for the leased item. */
export function retry(lease: Lease, delayMs: number): RetryOutcome {
  return {
    kind: 'retry',
    error: boom,
    delayMs,
    retryItem: { ...lease.item, attempt: lease.item.attempt + 1 },
    durationMs: 1,
  };
}

/** A failed outcome with optional fallback items. */
export function failed(fallback: readonly WorkItem[] = []): FailedOutcome {
  return { kind: 'failed', error: boom, fallback, durationMs: 1 };
}
