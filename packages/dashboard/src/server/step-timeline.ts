import type { ErrorInfo } from '@floxide/core';
import type { RunEvent } from '@floxide/distributed';

/**
 * How one step (one attempt at one item) ended; `running` while it has not. `waiting`: the attempt parked on
 * a signal and its item still waits; `waited`: it parked and a later attempt of the item started (the
 * signal's delivery, or the wait's timeout), which is where its bar ends.
 */
export type StepResult = 'running' | 'waiting' | 'waited' | 'committed' | 'retrying' | 'failed';

/** One attempt at one work item, as the timeline draws it. */
export interface TimelineStep {
  readonly itemId: string;
  readonly node: string;
  readonly attempt: number;
  readonly startedAt: number;
  /** When the step's outcome was committed (or, `waited`, the next attempt started); absent while open. */
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
 * start replaces the earlier one, so the step shows the time of the execution that counted. A park on a
 * signal writes no step event: an attempt left open when a later attempt of its item starts parked
 * (`waited`), and the open attempt of an item in `parked` (ids of items parked now) is `waiting`.
 */
export function stepTimeline(
  events: readonly RunEvent[],
  parked: ReadonlySet<string> = new Set(),
): TimelineStep[] {
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
  const ordered = [...steps.values()].sort((a, b) => a.startedAt - b.startedAt);
  // The latest attempt started of each item so far, walking back from the newest start.
  const later = new Map<string, TimelineStep>();
  for (let i = ordered.length - 1; i >= 0; i -= 1) {
    const step = ordered[i] as TimelineStep;
    const next = later.get(step.itemId);
    if (step.result === 'running' && next !== undefined && next.attempt > step.attempt) {
      ordered[i] = {
        ...step,
        result: 'waited',
        endedAt: next.startedAt,
        durationMs: Math.max(0, next.startedAt - step.startedAt),
      };
    } else if (step.result === 'running' && next === undefined && parked.has(step.itemId)) {
      ordered[i] = { ...step, result: 'waiting' };
    }
    if (next === undefined || step.attempt > next.attempt) later.set(step.itemId, step);
  }
  return ordered;
}
