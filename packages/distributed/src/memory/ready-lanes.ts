import type { WorkflowRef } from '../contracts/work-queue.js';
import { MinHeap } from './min-heap.js';

/** The lane key of a workflow version. */
export function laneKey(workflow: string, version: number): string {
  return `${version}@${workflow}`;
}

/** The lane keys a lease filter selects (`undefined`: every lane). */
export function laneKeys(workflows: readonly WorkflowRef[] | undefined): readonly string[] | undefined {
  return workflows?.map((w) => laneKey(w.name, w.version));
}

/** Arrival numbers fit below this, so `-priority × ORDER_SPAN + arrival` orders by priority, then arrival. */
const ORDER_SPAN = 2 ** 42;

/**
 * Ready entries in one lane per workflow version, each ordered by priority (highest first), then arrival,
 * so a lease filtered by workflow takes the first ready entry of its lanes without touching (or
 * reordering) entries of other workflows.
 *
 * @remarks `shift` compares the heads of the selected lanes: O(lanes + log n).
 */
export class ReadyLanes<T> {
  readonly #lanes = new Map<string, MinHeap<T>>();
  #seq = 0;

  /** Adds a value to its lane, behind the values of its priority (0 when absent). */
  push(key: string, value: T, priority = 0): void {
    let lane = this.#lanes.get(key);
    if (!lane) {
      lane = new MinHeap<T>();
      this.#lanes.set(key, lane);
    }
    this.#seq = (this.#seq + 1) % ORDER_SPAN;
    lane.push(-priority * ORDER_SPAN + this.#seq, value);
  }

  /** Takes the first value of the selected lanes (every lane when `keys` is undefined). */
  shift(keys: readonly string[] | undefined): T | undefined {
    let best: MinHeap<T> | undefined;
    let bestAt = Infinity;
    const consider = (lane: MinHeap<T> | undefined): void => {
      const at = lane?.peekAt();
      if (lane && at !== undefined && at < bestAt) {
        best = lane;
        bestAt = at;
      }
    };
    if (keys === undefined) for (const lane of this.#lanes.values()) consider(lane);
    else for (const key of keys) consider(this.#lanes.get(key));
    return best?.popDue(Infinity)?.value;
  }

  /** Forgets everything. */
  clear(): void {
    this.#lanes.clear();
  }
}
