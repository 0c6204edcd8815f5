import type { WorkItem } from '@floxide/core/engine';
import type { Lease, LeaseOptions, LeaseState, WorkQueue } from '../contracts/work-queue.js';
import { grantLease } from './memory-lease.js';
import { LaneLimits } from './lane-limits.js';
import { copyItem, isFinished, type MemoryState, type QueueEntry, type RunRecord } from './memory-state.js';

/**
 * The in-memory {@link WorkQueue}: a ready list, a timed heap for delayed items and lease deadlines, and
 * long-poll waiters woken by enqueue, release, resume and expiry.
 *
 * @remarks
 * Every claim runs synchronously, so two concurrent `lease` calls never receive the same item. Idle lease
 * calls hold one timer each (armed for the next visibility time or the wait's end), never a poll loop.
 *
 * @example
 * ```ts
 * const backend = new MemoryBackend();
 * const leases = await backend.queue.lease({ workerId: 'w1', leaseMs: 30_000, max: 8, waitMs: 1_000 });
 * ```
 */
export class MemoryWorkQueue implements WorkQueue {
  readonly #state: MemoryState;

  constructor(state: MemoryState) {
    this.#state = state;
  }

  /** Adds items to their runs' queues; items of unknown, cancelled or completed runs are ignored. */
  async enqueue(items: readonly WorkItem[], options: { delayMs?: number } = {}): Promise<void> {
    const at = this.#state.now();
    for (const item of items) {
      const run = this.#state.runs.get(item.runId);
      if (run) this.#state.enqueue(run, item, options.delayMs ?? 0, at);
    }
  }

  /** Claims up to `max` ready items, waiting up to `waitMs` for one when none is ready. */
  async lease(options: LeaseOptions): Promise<Lease[]> {
    const max = Math.max(1, options.max ?? 1);
    const deadline = this.#state.now() + Math.max(0, options.waitMs ?? 0);
    for (;;) {
      const leases = this.#claim(options, max);
      if (leases.length > 0 || options.signal?.aborted) return leases;
      const now = this.#state.now();
      if (now >= deadline) return leases;
      await this.#waitForWork(deadline, options.signal);
    }
  }

  /** Moves the lease deadline forward; `'lost'` when no longer ours, `'cancelled'` for finished runs. */
  async extend(lease: Lease, leaseMs: number): Promise<LeaseState> {
    const run = this.#state.runs.get(lease.item.runId);
    if (!run || isFinished(run.info.status)) return 'cancelled';
    const entry = this.#owned(run, lease);
    if (!entry?.lease) return 'lost';
    const expiresAt = this.#state.now() + leaseMs;
    entry.lease.expiresAt = expiresAt;
    this.#state.trackLease(entry, expiresAt);
    return 'active';
  }

  /** Gives a leased item back, visible again after `delayMs`, same attempt; lost leases: no-op. */
  async release(lease: Lease, options: { delayMs?: number } = {}): Promise<void> {
    const run = this.#state.runs.get(lease.item.runId);
    if (!run) return;
    const entry = this.#owned(run, lease);
    if (!entry) return;
    this.#state.unlease(run, entry, options.delayMs ?? 0, this.#state.now());
  }

  /** Removes every queued, not leased item of the run. */
  async purgeRun(runId: string): Promise<number> {
    const run = this.#state.runs.get(runId);
    return run ? this.#state.purge(run) : 0;
  }

  /** Copies of the run's items that are queued, delayed or leased. */
  async pending(runId: string): Promise<WorkItem[]> {
    const run = this.#state.runs.get(runId);
    if (!run) return [];
    return [...run.queue.values()].map((e) => copyItem(e.item));
  }

  #owned(run: RunRecord, lease: Lease): QueueEntry | undefined {
    const entry = run.queue.get(lease.item.itemId);
    if (!entry || entry.state !== 'leased' || entry.lease?.token !== lease.token) return undefined;
    return entry;
  }

  #claim(options: LeaseOptions, max: number): Lease[] {
    const state = this.#state;
    const now = state.now();
    state.pump(now);
    const leases: Lease[] = [];
    const limits = new LaneLimits(state, options.workflows, now);
    while (leases.length < max) {
      const entry = state.shiftReady(limits.openLanes());
      if (!entry) break;
      const run = state.runs.get(entry.item.runId);
      if (!run || entry.state !== 'ready' || run.queue.get(entry.item.itemId) !== entry) continue;
      const status = run.info.status;
      if (status === 'paused' || status === 'failed') {
        // Kept, invisible, until resume or retryFailed.
        entry.state = 'parked';
        run.parked.push(entry);
        continue;
      }
      if (status === 'completed' || status === 'cancelled') {
        state.removeEntry(run, entry);
        continue;
      }
      leases.push(grantLease(state, run, entry, options, now));
      limits.took(entry);
    }
    return leases;
  }

  async #waitForWork(deadline: number, signal: AbortSignal | undefined): Promise<void> {
    const state = this.#state;
    await new Promise<void>((resolve) => {
      const nextAt = state.nextTimedAt();
      const until = nextAt === undefined ? deadline : Math.min(deadline, nextAt);
      let removeWaiter = (): void => undefined;
      const done = (): void => {
        clearTimeout(timer);
        removeWaiter();
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, until - state.now()));
      removeWaiter = state.addWaiter(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
