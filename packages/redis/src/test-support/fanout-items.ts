import type { WorkItem } from '@floxide/core/engine';
import type { Lease, StepCommit } from '@floxide/distributed';

/** A work item of the wide fan-out tests' run (workflow `wf` v1). */
export function fanOutItem(runId: string, itemId: string, node: string, input: unknown = 1): WorkItem {
  return { itemId, runId, workflow: 'wf', version: 1, node, input, attempt: 1, branches: [] };
}

/** The commit of a fan-out step with `branches` successors `b0…b<n-1>` (node `work`, input = index). */
export function fanOutCommit(lease: Lease, runId: string, branches: number): StepCommit {
  const successors = Array.from({ length: branches }, (_, i) => fanOutItem(runId, `b${i}`, 'work', i));
  return {
    lease,
    at: Date.now(),
    outcome: { kind: 'advance', successors, joins: [], transition: 'nextAll', contextOps: [], durationMs: 1 },
  };
}
