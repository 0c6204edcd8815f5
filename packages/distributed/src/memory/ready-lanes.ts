import type { WorkflowRef } from '../contracts/work-queue.js';
import { FairTags } from './fair-tags.js';
import { MinHeap } from './min-heap.js';

/** The lane key of a workflow version. */
export function laneKey(workflow: string, version: number): string {
  return `${version}@${workflow}`;
}

/** The lane keys a lease filter selects (`undefined`: every lane). */
export function laneKeys(workflows: readonly WorkflowRef[] | undefined): readonly string[] | undefined {
  return workflows?.map((w) => laneKey(w.name, w.version));
}

/** Fair tags stay below this, so `-priority × ORDER_SPAN + tag` orders by priority, then tag. */
const ORDER_SPAN = 2 ** 42;

/** One lane: its ready values by (priority, fair tag, arrival) and its fair-share clock. */
interface Lane<T> {
  readonly heap: MinHeap<{ readonly value: T; readonly tag: number }>;
  readonly fair: FairTags;
}

/**
 * Ready entries in one lane per workflow version, each ordered by priority (highest first), then fair tag
 * (see {@link FairTags}: runs of equal priority take turns), then arrival, so a lease filtered by workflow
 * takes the first ready entry of its lanes without touching (or reordering) entries of other workflows.
 *
 * @remarks `shift` compares the heads of the selected lanes: O(lanes + log n).
 */
export class ReadyLanes<T> {
  readonly #lanes = new Map<string, Lane<T>>();
  #seq = 0;

  /**
   * Adds a value to its lane, behind the values of its priority (0 when absent) and, among those, behind
   * the values already queued by its flow (`flow`: the run id; see {@link FairTags}).
   */
  push(key: string, value: T, priority = 0, flow = ''): void {
    let lane = this.#lanes.get(key);
    if (!lane) {
      lane = { heap: new MinHeap(), fair: new FairTags() };
      this.#lanes.set(key, lane);
    }
    this.#seq += 1;
    const tag = lane.fair.next(flow);
    lane.heap.push(-priority * ORDER_SPAN + tag, { value, tag }, this.#seq);
  }

  /** Takes the first value of the selected lanes (every lane when `keys` is undefined). */
  shift(keys: readonly string[] | undefined): T | undefined {
    let best: Lane<T> | undefined;
    let bestAt = Infinity;
    const consider = (lane: Lane<T> | undefined): void => {
      const at = lane?.heap.peekAt();
      if (lane && at !== undefined && at < bestAt) {
        best = lane;
        bestAt = at;
      }
    };
    if (keys === undefined) for (const lane of this.#lanes.values()) consider(lane);
    else for (const key of keys) consider(this.#lanes.get(key));
    const lane = best as Lane<T> | undefined;
    const head = lane?.heap.popDue(Infinity)?.value;
    if (!lane || !head) return undefined;
    lane.fair.served(head.tag);
    return head.value;
  }

  /** Forgets everything. */
  clear(): void {
    this.#lanes.clear();
  }
}
