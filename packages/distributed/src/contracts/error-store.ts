import type { WorkflowErrorRecord } from './records.js';

/**
 * Error records of failed attempts. Commits append records for failed steps atomically with the step;
 * `record` appends records outside a commit (e.g. an item naming an unknown workflow).
 * @remarks Appends are never deduplicated; `list` returns them in append order; missing run: empty.
 */
export interface ErrorStore {
  record(error: WorkflowErrorRecord): Promise<void>;
  list(runId: string): Promise<WorkflowErrorRecord[]>;
}
