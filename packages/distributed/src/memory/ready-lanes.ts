import type { WorkflowRef } from '../contracts/work-queue.js';

/** The lane key of a workflow version. */
export function laneKey(workflow: string, version: number): string {
  return `${version}@${workflow}`;
}

/** The lane keys a lease filter selects (`undefined`: every lane). */
export function laneKeys(workflows: readonly WorkflowRef[] | undefined): readonly string[] | undefined {
  return workflows?.map((w) => laneKey(w.name, w.version));
}

interface Lane<T> {
  entries: ({ value: T; seq: number } | undefined)[];
  head: number;
}

/**
 * Ready entries in one FIFO lane per workflow version, so a lease filtered by workflow takes the oldest
 * ready entry of its lanes without touching (or reordering) entries of other workflows.
 *
 * @remarks `shift` compares the heads of the selected lanes by arrival order: FIFO across them, O(lanes).
 */
export class ReadyLanes<T> {
  readonly #lanes = new Map<string, Lane<T>>();
  #seq = 0;

  /** Appends a value to the end of its lane. */
  push(key: string, value: T): void {
    let lane = this.#lanes.get(key);
    if (!lane) {
      lane = { entries: [], head: 0 };
      this.#lanes.set(key, lane);
    }
    this.#seq += 1;
    lane.entries.push({ value, seq: this.#seq });
  }

  /** Takes the oldest value of the selected lanes (every lane when `keys` is undefined). */
  shift(keys: readonly string[] | undefined): T | undefined {
    let best: Lane<T> | undefined;
    let bestSeq = Infinity;
    const consider = (lane: Lane<T> | undefined): void => {
      const first = lane?.entries[lane.head];
      if (lane && first && first.seq < bestSeq) {
        best = lane;
        bestSeq = first.seq;
      }
    };
    if (keys === undefined) for (const lane of this.#lanes.values()) consider(lane);
    else for (const key of keys) consider(this.#lanes.get(key));
    if (!best) return undefined;
    const lane: Lane<T> = best;
    const first = lane.entries[lane.head];
    lane.entries[lane.head] = undefined;
    lane.head += 1;
    if (lane.head > 1024 && lane.head * 2 > lane.entries.length) {
      lane.entries = lane.entries.slice(lane.head);
      lane.head = 0;
    }
    return first?.value;
  }

  /** Forgets everything. */
  clear(): void {
    this.#lanes.clear();
  }
}
