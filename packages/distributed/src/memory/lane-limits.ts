import type { WorkflowRef } from '../contracts/work-queue.js';
import type { MemoryState, QueueEntry } from './memory-state.js';
import { laneKey, laneKeys } from './ready-lanes.js';

/**
 * The lanes one memory claim may still take items from: a lane whose workflow declares `maxConcurrency`
 * is open while its live leases across every worker of the backend are fewer than the limit.
 *
 * @remarks Live leases of limited lanes are counted once per claim by walking the queued entries (after
 * the claim's pump, every `leased` entry's lease is live), so a claim costs O(queued items) only when a
 * limited workflow is asked for.
 */
export class LaneLimits {
  readonly #all: readonly string[] | undefined;
  /** Remaining allowance of each limited lane. */
  readonly #left = new Map<string, number>();

  constructor(state: MemoryState, workflows: readonly WorkflowRef[] | undefined, now: number) {
    this.#all = laneKeys(workflows);
    for (const w of workflows ?? []) {
      if (w.maxConcurrency !== undefined) this.#left.set(laneKey(w.name, w.version), w.maxConcurrency);
    }
    if (this.#left.size === 0) return;
    for (const run of state.runs.values()) {
      for (const entry of run.queue.values()) {
        if (entry.state !== 'leased' || (entry.lease?.expiresAt ?? 0) <= now) continue;
        this.took(entry);
      }
    }
  }

  /** The lanes to take the next item from (`undefined`: every lane). */
  openLanes(): readonly string[] | undefined {
    if (this.#left.size === 0) return this.#all;
    return this.#all?.filter((lane) => (this.#left.get(lane) ?? 1) > 0);
  }

  /** Counts a lease of the entry's lane. */
  took(entry: QueueEntry): void {
    const lane = laneKey(entry.item.workflow, entry.item.version);
    const left = this.#left.get(lane);
    if (left !== undefined) this.#left.set(lane, left - 1);
  }
}
