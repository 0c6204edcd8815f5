import type { Backend, RunInfo } from '@floxide/distributed';

/** A step of a run parked on `Transition.waitFor`: what the run page shows next to its signal form. */
export interface ParkedStep {
  readonly itemId: string;
  readonly node: string;
  /** The signal name the step waits for. */
  readonly signal: string;
  /** When the wait times out (epoch ms, the backend's clock); absent: never. */
  readonly timeoutAt?: number;
}

/**
 * The run's parked steps, oldest park first as the backend lists its pending items. Reads the queue only
 * when `RunInfo.waitingFor` says something is parked, so a run that waits for nothing costs no extra read.
 */
export async function parkedSteps(backend: Backend, run: RunInfo): Promise<ParkedStep[]> {
  if (run.waitingFor === undefined || run.waitingFor.length === 0) return [];
  const pending = await backend.queue.pending(run.runId);
  const parked: ParkedStep[] = [];
  for (const item of pending) {
    if (item.parked === undefined) continue;
    const { name, timeoutAt } = item.parked;
    parked.push({
      itemId: item.itemId,
      node: item.node,
      signal: name,
      ...(timeoutAt === undefined ? {} : { timeoutAt }),
    });
  }
  return parked;
}
