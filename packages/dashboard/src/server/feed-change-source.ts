import { noopLogger, type Logger } from '@floxide/core';
import { FeedSubscription, type Backend, type FeedRegistration } from '@floxide/distributed';
import type { ChangeInterest, ChangeSource, DashboardChange } from './change-source.js';
import { PollingChangeSource } from './polling-change-source.js';

/** Options of {@link FeedChangeSource}. */
export interface FeedChangeSourceOptions {
  readonly backend: Backend;
  /** Period of the workers' heartbeat poll (heartbeats are not feed events); default 500 ms. */
  readonly pollMs?: number;
  /** Changes to one subscriber are sent at most this often (ms), so a busy run cannot flood a page. Default 200. */
  readonly coalesceMs?: number;
  readonly logger?: Logger;
}

interface Subscription {
  readonly registration: FeedRegistration;
  readonly stopWorkers: () => void;
  readonly pending: Map<string, DashboardChange>;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The default {@link ChangeSource}: runs and run pages follow the backend's change feed (the process-wide
 * {@link FeedSubscription} that `wait` and `watch` share), so the dashboard adds no per-client polling of
 * runs; only the workers' heartbeats, which are not feed events, are polled.
 *
 * @remarks
 * A `run.status` event means the runs list may differ; any event of the run a page shows means that page
 * may differ. Changes are coalesced per subscriber (at most one of each kind per `coalesceMs`): a source
 * only says that something changed, so merging notifications never shows a wrong page.
 */
export class FeedChangeSource implements ChangeSource {
  readonly #feed: FeedSubscription;
  readonly #workers: PollingChangeSource;
  readonly #coalesceMs: number;
  readonly #subscriptions = new Set<Subscription>();

  constructor(options: FeedChangeSourceOptions) {
    this.#feed = FeedSubscription.of(options.backend.feed);
    this.#coalesceMs = options.coalesceMs ?? 200;
    this.#workers = new PollingChangeSource({
      backend: options.backend,
      watchRuns: false,
      logger: options.logger ?? noopLogger,
      ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
    });
  }

  subscribe(listener: (change: DashboardChange) => void, interest: ChangeInterest = {}): () => void {
    const flush = (): void => {
      subscription.timer = undefined;
      const changes = [...subscription.pending.values()];
      subscription.pending.clear();
      for (const change of changes) listener(change);
    };
    const queue = (key: string, change: DashboardChange): void => {
      subscription.pending.set(key, change);
      subscription.timer ??= setTimeout(flush, this.#coalesceMs);
    };
    const subscription: Subscription = {
      registration: this.#feed.subscribe({
        onEvent: (event) => {
          if (event.type === 'run.status') queue('runs', { kind: 'runs' });
          if (event.runId === interest.runId) queue('run', { kind: 'run', runId: event.runId });
        },
      }),
      stopWorkers: this.#workers.subscribe(listener),
      pending: new Map(),
      timer: undefined,
    };
    this.#subscriptions.add(subscription);
    return () => this.#end(subscription);
  }

  async close(): Promise<void> {
    for (const subscription of [...this.#subscriptions]) this.#end(subscription);
    await this.#workers.close();
  }

  #end(subscription: Subscription): void {
    if (!this.#subscriptions.delete(subscription)) return;
    clearTimeout(subscription.timer);
    subscription.registration.close();
    subscription.stopWorkers();
  }
}
