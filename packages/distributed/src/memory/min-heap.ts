/** One timed entry of a {@link MinHeap}. */
export interface HeapEntry<TValue> {
  readonly at: number;
  /** Orders entries of equal `at` (lower first; 0 when absent). */
  readonly tie?: number;
  readonly value: TValue;
}

/** True when `a` comes before `b`: by `at`, then by `tie`. */
function before<T>(a: HeapEntry<T>, b: HeapEntry<T>): boolean {
  return a.at < b.at || (a.at === b.at && (a.tie ?? 0) < (b.tie ?? 0));
}

/**
 * A binary min-heap ordered by `at`, then by `tie`.
 *
 * @remarks
 * The memory queue keeps delayed items and lease deadlines here so finding what became visible costs
 * O(log n) per entry instead of a scan over every queued item. Entries are deleted lazily: the caller
 * checks, when an entry pops, whether it still describes the current state.
 */
export class MinHeap<TValue> {
  readonly #entries: HeapEntry<TValue>[] = [];

  /** Number of entries, stale ones included. */
  get size(): number {
    return this.#entries.length;
  }

  /** The earliest time in the heap, or `undefined` when it is empty. */
  peekAt(): number | undefined {
    return this.#entries[0]?.at;
  }

  /** Adds an entry (`tie` orders entries of equal `at`). */
  push(at: number, value: TValue, tie?: number): void {
    const entries = this.#entries;
    entries.push(tie === undefined ? { at, value } : { at, tie, value });
    let i = entries.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = entries[parent] as HeapEntry<TValue>;
      const c = entries[i] as HeapEntry<TValue>;
      if (!before(c, p)) break;
      entries[parent] = c;
      entries[i] = p;
      i = parent;
    }
  }

  /** Removes and returns the earliest entry when its time is at or before `now`. */
  popDue(now: number): HeapEntry<TValue> | undefined {
    const entries = this.#entries;
    const top = entries[0];
    if (top === undefined || top.at > now) return undefined;
    const last = entries.pop() as HeapEntry<TValue>;
    if (entries.length > 0) {
      entries[0] = last;
      this.#siftDown();
    }
    return top;
  }

  /** Drops every entry. */
  clear(): void {
    this.#entries.length = 0;
  }

  #siftDown(): void {
    const entries = this.#entries;
    const n = entries.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < n && before(entries[l] as HeapEntry<TValue>, entries[smallest] as HeapEntry<TValue>))
        smallest = l;
      if (r < n && before(entries[r] as HeapEntry<TValue>, entries[smallest] as HeapEntry<TValue>))
        smallest = r;
      if (smallest === i) return;
      const tmp = entries[i] as HeapEntry<TValue>;
      entries[i] = entries[smallest] as HeapEntry<TValue>;
      entries[smallest] = tmp;
      i = smallest;
    }
  }
}
