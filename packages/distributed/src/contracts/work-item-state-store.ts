import type { WorkItemState } from './records.js';

/**
 * States of a run's work items, maintained by enqueue, lease and commit.
 * @remarks A missing item or run reads as `undefined` / empty. `list` is ordered by item creation.
 */
export interface WorkItemStateStore {
  get(runId: string, itemId: string): Promise<WorkItemState | undefined>;
  list(runId: string): Promise<WorkItemState[]>;
}
