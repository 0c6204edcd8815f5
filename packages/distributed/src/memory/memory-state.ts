import type { ErrorInfo } from '@floxide/core';
import type { WorkItem } from '@floxide/core/engine';
import type {
  NodeTimings,
  RunEvent,
  RunInfo,
  RunMetrics,
  RunStatus,
  WorkerHealth,
  WorkflowErrorRecord,
  WorkItemState,
} from '../contracts/records.js';
import type { FeedEvent } from '../contracts/change-feed.js';
import type { Retention } from '../contracts/retention.js';
import type { RunSignals } from './memory-signals.js';
import { MinHeap } from './min-heap.js';
import { ReadyLanes, laneKey } from './ready-lanes.js';
import { RunListIndex } from './run-list-index.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Where a queued item is in its life: the memory queue's internal bookkeeping. */
export type QueueEntryState = 'ready' | 'delayed' | 'leased' | 'parked';

/** One item in the memory queue (at most one entry per item id and run). */
export interface QueueEntry {
  item: WorkItem;
  visibleAt: number;
  state: QueueEntryState;
  lease?: { token: string; workerId: string; expiresAt: number };
}

/** A work item's state plus the latest attempt's item, kept so `retryFailed` can re-enqueue it. */
export interface ItemRecord {
  state: Mutable<WorkItemState>;
  item: WorkItem;
}

/** Arrivals at one join item, values by branch index. */
export interface JoinRecord {
  total: number;
  values: Map<number, unknown>;
  fired: boolean;
}

/** Everything the memory backend knows about one run. */
export interface RunRecord {
  info: Mutable<RunInfo>;
  /**
   * The context, field by field: `state` maps each field to its JSON state (an event log is an array that
   * commits only append to), `fieldVersions` the per-field versions of reducers.
   */
  context: { state: Record<string, unknown>; version: number; fieldVersions: Map<string, number> };
  metrics: Omit<Mutable<RunMetrics>, 'nodes'> & { nodes: Map<string, Mutable<NodeTimings>> };
  errors: WorkflowErrorRecord[];
  events: RunEvent[];
  /** Insertion order is creation order, which `items.list` promises. */
  items: Map<string, ItemRecord>;
  queue: Map<string, QueueEntry>;
  /** Visible entries of a paused or failed run, set aside until resume / retryFailed. */
  parked: QueueEntry[];
  /** `(itemId, attempt)` keys already committed: the idempotency set. */
  committed: Set<string>;
  joins: Map<string, JoinRecord>;
  /** Items queued, delayed or leased and not yet committed; 0 without output means NO_TERMINAL_OUTPUT. */
  outstanding: number;
  /** Parked items, stored signals and received signal ids, once the run used signals. */
  signals?: RunSignals;
}

/** A timed heap entry: a delayed item becoming visible, or a lease deadline passing. */
interface TimedRef {
  readonly entry: QueueEntry;
  readonly kind: 'visible' | 'expire';
}

const NO_TERMINAL_OUTPUT: ErrorInfo = {
  name: 'NoTerminalOutputError',
  code: 'NO_TERMINAL_OUTPUT',
  message: 'The run consumed its last work item without reaching a terminal node',
};

/** True for statuses after which a run changes no more (failed may be revived by retryFailed). */
export function isFinished(status: RunStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

/** The idempotency key of one commit. */
export function commitKey(itemId: string, attempt: number): string {
  return `${itemId}#${attempt}`;
}

/** Deep copy of a JSON-like record, so callers mutating results never change the store. */
export function copy<T>(value: T): T {
  // Primitives are immutable; skipping structuredClone for them matters on the per-item hot path.
  return typeof value === 'object' && value !== null ? structuredClone(value) : value;
}

/** Copy of a work item: the envelope field by field (cheap), the input deeply. */
export function copyItem(item: WorkItem): WorkItem {
  return { ...item, input: copy(item.input), branches: item.branches.map((b) => ({ ...b })) };
}

/**
 * The whole state of a {@link MemoryBackend}, shared by its stores.
 *
 * @remarks
 * Every operation runs synchronously against these maps, so each backend call is atomic by construction
 * (JavaScript runs one synchronous block at a time). The ready list plus a timed heap keep `lease` at
 * O(log n) per item even with 100k items queued.
 */
export class MemoryState {
  readonly runs = new Map<string, RunRecord>();
  /** The run list indexes, kept by `addRun` and `setStatus`. */
  readonly runIndex = new RunListIndex();
  readonly workers = new Map<string, WorkerHealth>();
  readonly now: () => number;
  readonly #ready = new ReadyLanes<QueueEntry>();
  readonly #timed = new MinHeap<TimedRef>();
  readonly #waiters = new Set<() => void>();
  /**
   * The newest events of every run in append order: the change feed, position n at index
   * n - 1 - `feedStart`. Trimmed to the newest `feedMaxLength` once it holds twice that many.
   */
  readonly feed: FeedEvent[] = [];
  /** How many of the oldest feed events were trimmed away. */
  feedStart = 0;
  /** Feed events kept at least (the Redis feed keeps about as many). */
  feedMaxLength = 100_000;
  readonly #feedWaiters = new Set<() => void>();
  /** Finished runs by the time retention deletes them (checked against the run when due). */
  readonly #expiries = new MinHeap<{ runId: string; finishedAt: number }>();
  /** How long finished runs are kept; `undefined` keeps them forever. */
  retention: Retention | undefined;
  #tokenSeq = 0;
  readonly #tokenPrefix = Math.random().toString(36).slice(2, 10);

  constructor(now: () => number) {
    this.now = now;
  }

  /** A fresh lease token. */
  nextToken(): string {
    this.#tokenSeq += 1;
    return `${this.#tokenPrefix}-${this.#tokenSeq}`;
  }

  /** The earliest time something in the timed heap may become visible. */
  nextTimedAt(): number | undefined {
    return this.#timed.peekAt();
  }

  /** Registers a long-poll waiter; returns its removal function. */
  addWaiter(wake: () => void): () => void {
    this.#waiters.add(wake);
    return () => {
      this.#waiters.delete(wake);
    };
  }

  /** Wakes every waiting lease call so it tries to claim again. */
  wake(): void {
    if (this.#waiters.size === 0) return;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const w of waiters) w();
  }

  /** Appends a run event with the next sequence number, to the run's history and to the change feed. */
  event(run: RunRecord, event: Omit<RunEvent, 'seq' | 'runId'>): void {
    const recorded: RunEvent = { seq: run.events.length + 1, runId: run.info.runId, ...event };
    run.events.push(recorded);
    this.feed.push({ ...recorded, position: String(this.feedStart + this.feed.length + 1) });
    if (this.feed.length >= 2 * this.feedMaxLength) {
      // Amortised: one splice per feedMaxLength events keeps the feed (and memory) bounded.
      const drop = this.feed.length - this.feedMaxLength;
      this.feed.splice(0, drop);
      this.feedStart += drop;
    }
    if (this.#feedWaiters.size === 0) return;
    const waiters = [...this.#feedWaiters];
    this.#feedWaiters.clear();
    for (const w of waiters) w();
  }

  /** Registers a change-feed reader waiting for the next event; returns its removal function. */
  addFeedWaiter(wake: () => void): () => void {
    this.#feedWaiters.add(wake);
    return () => {
      this.#feedWaiters.delete(wake);
    };
  }

  /** Stores a new run and indexes it for listing. */
  addRun(run: RunRecord): void {
    this.runs.set(run.info.runId, run);
    this.runIndex.add(run.info);
  }

  /** Changes a run's status and records the status event. */
  setStatus(run: RunRecord, status: RunStatus, at: number): void {
    const from = run.info.status;
    run.info.status = status;
    this.runIndex.statusChanged(run.info, from);
    if (isFinished(status)) {
      run.info.finishedAt = at;
      delete run.info.waitingUntil;
      delete run.info.waitingFor;
      const keepMs = this.retention?.keepMs(status, run.info.workflow) ?? Infinity;
      // Due by the backend's clock (a commit's `at` may come from a worker's clock).
      if (Number.isFinite(keepMs))
        this.#expiries.push(this.now() + keepMs, { runId: run.info.runId, finishedAt: at });
    }
    this.event(run, { at, type: 'run.status', status, ...(run.info.error ? { error: run.info.error } : {}) });
  }

  /** Fails a run with an error, keeping its queued items parked for a possible retryFailed. */
  failRun(run: RunRecord, error: ErrorInfo, at: number): void {
    run.info.error = error;
    this.setStatus(run, 'failed', at);
  }

  /** Moves a run to completed with its output and drops its queued items. */
  completeRun(run: RunRecord, output: unknown, at: number): void {
    run.info.output = output;
    this.setStatus(run, 'completed', at);
    this.purge(run);
  }

  /**
   * Adds an item to a run's queue unless its `(itemId, attempt)` is already queued, leased or committed.
   * Returns whether it was added. Counts it as outstanding and, when new, in `totalItems`.
   */
  enqueue(run: RunRecord, item: WorkItem, delayMs: number, at: number): boolean {
    if (run.info.status === 'cancelled' || run.info.status === 'completed') return false;
    if (run.committed.has(commitKey(item.itemId, item.attempt))) return false;
    const existing = run.queue.get(item.itemId);
    if (existing && existing.item.attempt >= item.attempt) return false;
    if (existing) this.removeEntry(run, existing);
    const stored = copyItem(item);
    const entry: QueueEntry = { item: stored, visibleAt: at + Math.max(0, delayMs), state: 'ready' };
    run.queue.set(item.itemId, entry);
    run.outstanding += 1;
    const record = run.items.get(item.itemId);
    if (record) {
      record.item = stored;
      record.state.status = delayMs > 0 ? 'waiting-retry' : 'pending';
    } else {
      run.items.set(item.itemId, {
        item: stored,
        state: { itemId: item.itemId, runId: item.runId, node: item.node, status: 'pending', attempts: 0 },
      });
      run.metrics.totalItems += 1;
    }
    this.#schedule(entry);
    return true;
  }

  /** Makes a leased entry visible again after `delayMs` (lease released or expired). */
  unlease(run: RunRecord, entry: QueueEntry, delayMs: number, at: number): void {
    if (entry.state === 'leased') run.metrics.running = Math.max(0, run.metrics.running - 1);
    delete entry.lease;
    entry.visibleAt = at + Math.max(0, delayMs);
    const record = run.items.get(entry.item.itemId);
    if (record && record.state.status === 'running') record.state.status = 'pending';
    this.#schedule(entry);
  }

  /** Removes a committed or purged entry from the queue. */
  removeEntry(run: RunRecord, entry: QueueEntry): void {
    this.#dropEntry(run, entry);
    run.outstanding -= 1;
  }

  /** Drops every queued entry that is not leased; returns how many. */
  purge(run: RunRecord): number {
    let count = 0;
    for (const entry of [...run.queue.values()]) {
      if (entry.state === 'leased') continue;
      this.removeEntry(run, entry);
      count += 1;
    }
    run.parked = [];
    return count;
  }

  /** Makes parked entries of a resumed or revived run visible again. */
  unpark(run: RunRecord): void {
    const parked = run.parked;
    run.parked = [];
    for (const entry of parked) {
      if (run.queue.get(entry.item.itemId) !== entry || entry.state !== 'parked') continue;
      entry.state = 'ready';
      this.#pushReady(entry);
    }
    this.wake();
  }

  /** Fails the run with NO_TERMINAL_OUTPUT when nothing is left to do and it produced no output. */
  checkDrained(run: RunRecord, at: number): void {
    if (run.outstanding > 0) return;
    const s = run.info.status;
    if (s === 'queued' || s === 'running' || s === 'waiting' || s === 'paused')
      this.failRun(run, NO_TERMINAL_OUTPUT, at);
  }

  /** Moves delayed items whose time came, and expired leases, to the ready list. */
  pump(now: number): void {
    for (let due = this.#timed.popDue(now); due; due = this.#timed.popDue(now)) {
      const { entry, kind } = due.value;
      const run = this.runs.get(entry.item.runId);
      if (!run || run.queue.get(entry.item.itemId) !== entry) continue;
      if (kind === 'visible' && entry.state === 'delayed' && entry.visibleAt <= now) {
        entry.state = 'ready';
        this.#pushReady(entry);
      } else if (
        kind === 'expire' &&
        entry.state === 'leased' &&
        entry.lease &&
        entry.lease.expiresAt <= now
      ) {
        this.unlease(run, entry, 0, now);
      }
    }
  }

  /** Registers a lease deadline so an expired lease makes its item visible again. */
  trackLease(entry: QueueEntry, expiresAt: number): void {
    this.#timed.push(expiresAt, { entry, kind: 'expire' });
  }

  /**
   * Takes the first ready entry (priority, then fair share: see `FairTags`) of the selected workflow lanes (see {@link laneKeys}; every lane when
   * `lanes` is undefined), or `undefined` when none is left.
   */
  shiftReady(lanes?: readonly string[]): QueueEntry | undefined {
    return this.#ready.shift(lanes);
  }

  /**
   * Deletes every finished run whose retention time passed by `now`, with everything it owns (items,
   * context, events, errors, metrics, join state, list index entries); returns how many. A run revived or
   * re-finished since its entry was made is judged by its newer entry.
   */
  expireRuns(now: number): number {
    let count = 0;
    for (let due = this.#expiries.popDue(now); due; due = this.#expiries.popDue(now)) {
      const { runId, finishedAt } = due.value;
      const run = this.runs.get(runId);
      if (!run || !isFinished(run.info.status) || run.info.finishedAt !== finishedAt) continue;
      this.runs.delete(runId);
      this.runIndex.remove(run.info);
      // Leased entries of the run are refused at extend and commit (a missing run counts as cancelled);
      // stale ready-lane references are skipped by the claim's identity check.
      for (const entry of run.queue.values()) entry.state = 'parked';
      run.queue.clear();
      count += 1;
    }
    return count;
  }

  /** Adds a per-node timing sample to a run's metrics. */
  addTiming(run: RunRecord, node: string, durationMs: number): void {
    const t = run.metrics.nodes.get(node);
    if (t) {
      t.count += 1;
      t.totalMs += durationMs;
      t.maxMs = Math.max(t.maxMs, durationMs);
    } else {
      run.metrics.nodes.set(node, { count: 1, totalMs: durationMs, maxMs: durationMs });
    }
  }

  /** Forgets every run, worker and timer (used by `close`). */
  clear(): void {
    this.runs.clear();
    this.runIndex.clear();
    this.workers.clear();
    this.#ready.clear();
    this.#expiries.clear();
    this.#timed.clear();
    this.wake();
  }

  #schedule(entry: QueueEntry): void {
    if (entry.visibleAt <= this.now()) {
      entry.state = 'ready';
      this.#pushReady(entry);
      this.wake();
    } else {
      entry.state = 'delayed';
      this.#timed.push(entry.visibleAt, { entry, kind: 'visible' });
      // A waiting lease call must re-arm its timer for the earlier visibility time.
      this.wake();
    }
  }

  #dropEntry(run: RunRecord, entry: QueueEntry): void {
    if (entry.state === 'leased') run.metrics.running = Math.max(0, run.metrics.running - 1);
    run.queue.delete(entry.item.itemId);
    // Stale references left in the ready list or heap are skipped by the identity check on pop.
    entry.state = 'parked';
  }

  #pushReady(entry: QueueEntry): void {
    const item = entry.item;
    this.#ready.push(laneKey(item.workflow, item.version), entry, item.priority ?? 0, item.runId);
  }
}
