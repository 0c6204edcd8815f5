/**
 * Start-time fair queuing tags of one lane: each value queued gets the tag `max(V, flow's last tag) + 1`,
 * where `V` (the lane's virtual time) is the tag of the latest value served. Values served in tag order
 * interleave the flows (runs) that have values queued: a run with a backlog of 50,000 items holds tags far
 * ahead of `V`, and a run that queues an item later gets `V + 1`, so it is served after at most one item
 * per other flow queued at `V + 1` — not after the backlog.
 *
 * @remarks A flow whose last tag is at or below `V` has nothing queued ahead of `V`, so it is forgotten;
 * the map of flows is pruned when it doubles, so it holds about the flows with a backlog.
 */
export class FairTags {
  #virtual = 0;
  readonly #last = new Map<string, number>();
  #pruneAt = 1024;

  /** The tag of the next value of `flow`. */
  next(flow: string): number {
    const tag = Math.max(this.#virtual, this.#last.get(flow) ?? 0) + 1;
    this.#last.set(flow, tag);
    if (this.#last.size >= this.#pruneAt) this.#prune();
    return tag;
  }

  /** Advances the virtual time to the tag of a value being served. */
  served(tag: number): void {
    if (tag > this.#virtual) this.#virtual = tag;
  }

  #prune(): void {
    for (const [flow, tag] of this.#last) if (tag <= this.#virtual) this.#last.delete(flow);
    this.#pruneAt = Math.max(1024, this.#last.size * 2);
  }
}
