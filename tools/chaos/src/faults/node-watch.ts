import type { SlowObserver } from './fault-workflows.js';

/** One node start seen in this process. */
export interface SeenStart {
  readonly itemId: string;
  readonly attempt: number;
  readonly at: number;
}

/** A {@link SlowObserver} that remembers every node start and signal abort, per run, with the time. */
export class NodeWatch implements SlowObserver {
  readonly #starts = new Map<string, SeenStart[]>();
  readonly #aborts = new Map<string, Map<string, number>>();

  started(runId: string, itemId: string, attempt: number): void {
    const list = this.#starts.get(runId) ?? [];
    list.push({ itemId, attempt, at: Date.now() });
    this.#starts.set(runId, list);
  }

  aborted(runId: string, itemId: string): void {
    const map = this.#aborts.get(runId) ?? new Map<string, number>();
    if (!map.has(itemId)) map.set(itemId, Date.now());
    this.#aborts.set(runId, map);
  }

  /** Node starts of `runId`, in order. */
  starts(runId: string): readonly SeenStart[] {
    return this.#starts.get(runId) ?? [];
  }

  /** When the signal of `itemId` of `runId` aborted, if it did. */
  abortedAt(runId: string, itemId: string): number | undefined {
    return this.#aborts.get(runId)?.get(itemId);
  }
}
