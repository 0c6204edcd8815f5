/** Something the dashboard's pages may need to fetch again. */
export type DashboardChange =
  /** The list of runs (new runs, status changes) may differ. */
  | { readonly kind: 'runs' }
  /** This run's status, items, events or context moved on. */
  | { readonly kind: 'run'; readonly runId: string }
  /** Workers' heartbeats or in-flight items changed. */
  | { readonly kind: 'workers' };

/** What one subscriber wants to hear about besides the runs list and workers. */
export interface ChangeInterest {
  /** A run whose details this subscriber shows. */
  readonly runId?: string;
}

/**
 * Where live updates come from: the dashboard's Server-Sent Events endpoint relays these changes and the
 * pages re-read what changed over the JSON API.
 *
 * @remarks
 * The default `FeedChangeSource` follows the backend's change feed (the process-wide subscription that
 * `wait` and `watch` share) and polls only the workers' heartbeats; {@link PollingChangeSource} polls the
 * backend once per interval for all connected clients instead. Either serves the endpoint and the pages.
 * A source only says *that* something changed, never *what* it now is, so a missed or coalesced
 * notification costs one extra read, never a wrong page.
 */
export interface ChangeSource {
  /** Delivers changes to `listener` until the returned function is called. */
  subscribe(listener: (change: DashboardChange) => void, interest?: ChangeInterest): () => void;
  /** Stops every timer and subscription. Idempotent. */
  close(): Promise<void>;
}
