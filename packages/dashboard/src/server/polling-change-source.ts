import { noopLogger, type Logger } from '@floxide/core';
import type { Backend } from '@floxide/distributed';
import type { ChangeInterest, ChangeSource, DashboardChange } from './change-source.js';

/** How many of the newest runs the poll compares between ticks. */
const WATCHED_RUNS = 100;

interface Subscriber {
  readonly listener: (change: DashboardChange) => void;
  readonly runId: string | undefined;
}

/** Options of {@link PollingChangeSource}. */
export interface PollingChangeSourceOptions {
  readonly backend: Backend;
  /** Poll period (default 500 ms). */
  readonly pollMs?: number;
  /**
   * Whether to poll the runs list and the runs clients show (default true). False leaves only the workers'
   * heartbeats to poll, for a source that learns about runs from the backend's change feed.
   */
  readonly watchRuns?: boolean;
  readonly logger?: Logger;
}

/**
 * A {@link ChangeSource} that reads the backend once per `pollMs` — however many clients are connected —
 * and only while at least one is.
 *
 * @remarks
 * Each tick compares the newest 100 runs (id, status, finish time), the workers' heartbeats and, for every
 * run a client shows, its new events and status. A status change of an older run outside those 100 is
 * seen when its page is open, not on the runs list.
 */
export class PollingChangeSource implements ChangeSource {
  readonly #backend: Backend;
  readonly #pollMs: number;
  readonly #watchRuns: boolean;
  readonly #logger: Logger;
  readonly #subscribers = new Set<Subscriber>();
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;
  #runsPrint: string | undefined;
  #workersPrint: string | undefined;
  readonly #runPrints = new Map<string, { seq: number; status: string }>();
  #closed = false;

  constructor(options: PollingChangeSourceOptions) {
    this.#backend = options.backend;
    this.#pollMs = options.pollMs ?? 500;
    this.#watchRuns = options.watchRuns ?? true;
    this.#logger = options.logger ?? noopLogger;
  }

  subscribe(listener: (change: DashboardChange) => void, interest: ChangeInterest = {}): () => void {
    const subscriber: Subscriber = { listener, runId: interest.runId };
    this.#subscribers.add(subscriber);
    this.#schedule();
    return () => {
      this.#subscribers.delete(subscriber);
      if (this.#subscribers.size === 0) this.#stop();
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#subscribers.clear();
    this.#stop();
    await this.#polling;
  }

  #schedule(): void {
    if (this.#closed || this.#timer !== undefined || this.#polling !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#polling = this.#poll()
        .catch((error: unknown) => this.#logger.warn('dashboard poll failed', { error: String(error) }))
        .finally(() => {
          this.#polling = undefined;
          if (this.#subscribers.size > 0) this.#schedule();
        });
    }, this.#pollMs);
  }

  #stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // Forget what was seen: the next subscriber starts from a fresh comparison.
    this.#runsPrint = undefined;
    this.#workersPrint = undefined;
    this.#runPrints.clear();
  }

  async #poll(): Promise<void> {
    if (this.#watchRuns) {
      const page = await this.#backend.runs.list({ limit: WATCHED_RUNS });
      const runsPrint = page.runs.map((r) => `${r.runId}:${r.status}:${r.finishedAt ?? ''}`).join('|');
      if (this.#runsPrint !== undefined && runsPrint !== this.#runsPrint) this.#emit({ kind: 'runs' });
      this.#runsPrint = runsPrint;
    }

    const workers = await this.#backend.liveness.list();
    const workersPrint = workers
      .map((w) => `${w.workerId}:${w.status}:${w.lastHeartbeat}:${w.currentItems.join(',')}`)
      .join('|');
    if (this.#workersPrint !== undefined && workersPrint !== this.#workersPrint)
      this.#emit({ kind: 'workers' });
    this.#workersPrint = workersPrint;

    const watched = new Set<string>();
    if (this.#watchRuns) for (const s of this.#subscribers) if (s.runId !== undefined) watched.add(s.runId);
    for (const runId of this.#runPrints.keys()) if (!watched.has(runId)) this.#runPrints.delete(runId);
    for (const runId of watched) await this.#pollRun(runId);
  }

  async #pollRun(runId: string): Promise<void> {
    const before = this.#runPrints.get(runId);
    const events = await this.#backend.events.read(runId, before?.seq ?? 0);
    const run = await this.#backend.runs.get(runId);
    const seq = events.at(-1)?.seq ?? before?.seq ?? 0;
    const status = run?.status ?? 'missing';
    this.#runPrints.set(runId, { seq, status });
    if (before !== undefined && (seq !== before.seq || status !== before.status)) {
      this.#emit({ kind: 'run', runId }, runId);
    }
  }

  #emit(change: DashboardChange, onlyRun?: string): void {
    for (const s of [...this.#subscribers]) {
      if (onlyRun !== undefined && s.runId !== onlyRun) continue;
      try {
        s.listener(change);
      } catch (error) {
        this.#logger.warn('dashboard change listener failed', { error: String(error) });
      }
    }
  }
}
