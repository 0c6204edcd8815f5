import type { ItemTraceContext } from '@floxide/core';
import type { Lease, StepCommit } from '@floxide/distributed';

type StepOutcome = StepCommit['outcome'];
type WorkItem = Lease['item'];

function stamp(items: readonly WorkItem[], trace: ItemTraceContext): readonly WorkItem[] {
  return items.length === 0 ? items : items.map((item) => ({ ...item, trace }));
}

/**
 * `outcome` with `trace` (the context of the step that produced it) on every item it creates: successors,
 * the join items its arrivals may complete, and on-failure fallbacks. A retry keeps the trace context its
 * item already has, so every attempt of a step is a child of the same predecessor.
 */
export function tracedOutcome(outcome: StepOutcome, trace: ItemTraceContext): StepOutcome {
  switch (outcome.kind) {
    case 'advance':
      if (outcome.successors.length === 0 && outcome.joins.length === 0) return outcome;
      return {
        ...outcome,
        successors: stamp(outcome.successors, trace),
        joins:
          outcome.joins.length === 0
            ? outcome.joins
            : outcome.joins.map((arrival) => ({ ...arrival, joinItem: { ...arrival.joinItem, trace } })),
      };
    case 'failed':
      return outcome.fallback.length === 0
        ? outcome
        : { ...outcome, fallback: stamp(outcome.fallback, trace) };
    default:
      return outcome;
  }
}
