import type { ErrorInfo } from '@floxide/core';
import type { RunEvent } from '@floxide/distributed';

/** How one step (one attempt at one item) ended; `running` while it has not. */
export type StepResult = 'running' | 'committed' | 'retrying' | 'failed';

/** One attempt at one work item, as the timeline draws it. */
export interface TimelineStep {
  readonly itemId: string;
  readonly node: string;
  readonly attempt: number;
  readonly startedAt: number;
  /** When the step's outcome was committed; absent while it runs. */
  readonly endedAt?: number;
  readonly durationMs?: number;
  readonly result: StepResult;
  readonly error?: ErrorInfo;
}

const RESULT: Partial<Record<RunEvent['type'], StepResult>> = {
  'step.committed': 'committed',
  'step.retrying': 'retrying',
  'step.failed': 'failed',
};

/**
 * Pairs a run's `step.started` events with the commit that ended each attempt, in start order.
 *
 * @remarks An attempt whose lease lapsed is started again under the same `(itemId, attempt)`: the later
 * start replaces the earlier one, so the step shows the time of the execution that counted.
 */
export function stepTimeline(events: readonly RunEvent[]): TimelineStep[] {
  const steps = new Map<string, TimelineStep>();
  for (const e of events) {
    if (e.itemId === undefined || e.attempt === undefined) continue;
    const key = `${e.itemId}#${e.attempt}`;
    if (e.type === 'step.started') {
      steps.delete(key);
      steps.set(key, {
        itemId: e.itemId,
        node: e.node ?? '',
        attempt: e.attempt,
        startedAt: e.at,
        result: 'running',
      });
      continue;
    }
    const result = RESULT[e.type];
    const step = steps.get(key);
    if (result === undefined || step === undefined) continue;
    steps.set(key, {
      ...step,
      endedAt: e.at,
      durationMs: Math.max(0, e.at - step.startedAt),
      result,
      ...(e.error === undefined ? {} : { error: e.error }),
    });
  }
  return [...steps.values()].sort((a, b) => a.startedAt - b.startedAt);
}
