import type { RunInfo } from '../contracts/records.js';

/** Runs per block before a block splits in two: keeps an insert or removal a small move, wherever it lands. */
const MAX_BLOCK = 1024;

/** Index of the first element of a sorted array for which `probe` is not negative (`length` if none). */
function lowerBound<T>(items: readonly T[], probe: (item: T) => number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (probe(items[mid] as T) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Runs kept sorted by a comparison, in blocks of at most {@link MAX_BLOCK}: inserting or removing costs two
 * binary searches and a move within one block, so runs arriving in any order (ids are random) stay cheap
 * with a million stored. A probe passed to the iterators compares a run with a bound (negative: before it).
 */
export class SortedRuns {
  #blocks: RunInfo[][] = [];
  readonly #compare: (a: RunInfo, b: RunInfo) => number;

  constructor(compare: (a: RunInfo, b: RunInfo) => number) {
    this.#compare = compare;
  }

  /** Adds a run (not already present). */
  insert(run: RunInfo): void {
    const probe = (r: RunInfo): number => this.#compare(r, run);
    if (this.#blocks.length === 0) {
      this.#blocks.push([run]);
      return;
    }
    const b = Math.min(this.#blockFor(probe), this.#blocks.length - 1);
    const block = this.#blocks[b] as RunInfo[];
    block.splice(lowerBound(block, probe), 0, run);
    if (block.length > MAX_BLOCK) {
      const half = block.length >>> 1;
      this.#blocks.splice(b, 1, block.slice(0, half), block.slice(half));
    }
  }

  /** Removes a run (by identity) when present. */
  remove(run: RunInfo): void {
    const probe = (r: RunInfo): number => this.#compare(r, run);
    const b = this.#blockFor(probe);
    const block = this.#blocks[b];
    if (!block) return;
    const i = lowerBound(block, probe);
    if (block[i] !== run) return;
    block.splice(i, 1);
    if (block.length === 0) this.#blocks.splice(b, 1);
  }

  /** Runs in ascending order from the first one `probe` does not put before the bound. */
  *ascending(probe: (run: RunInfo) => number): Generator<RunInfo> {
    for (let b = this.#blockFor(probe), first = true; b < this.#blocks.length; b += 1, first = false) {
      const block = this.#blocks[b] as RunInfo[];
      for (let i = first ? lowerBound(block, probe) : 0; i < block.length; i += 1) yield block[i] as RunInfo;
    }
  }

  /** Runs in descending order from the last one `probe` puts before the bound (from the last run without one). */
  *descending(probe?: (run: RunInfo) => number): Generator<RunInfo> {
    let b = this.#blocks.length - 1;
    let i = (this.#blocks[b]?.length ?? 0) - 1;
    if (probe) {
      b = Math.min(this.#blockFor(probe), this.#blocks.length - 1);
      i = lowerBound(this.#blocks[b] ?? [], probe) - 1;
    }
    for (; b >= 0; b -= 1) {
      const block = this.#blocks[b] as RunInfo[];
      if (i >= block.length || i < -1) i = block.length - 1;
      for (; i >= 0; i -= 1) yield block[i] as RunInfo;
      i = Number.POSITIVE_INFINITY;
    }
  }

  /** The first block whose last run `probe` does not put before the bound (`length` if none). */
  #blockFor(probe: (run: RunInfo) => number): number {
    return lowerBound(this.#blocks, (block) => probe(block[block.length - 1] as RunInfo));
  }
}
