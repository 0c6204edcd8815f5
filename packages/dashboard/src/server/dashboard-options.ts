import type { AnyWorkflow, Logger } from '@floxide/core';
import type { Backend } from '@floxide/distributed';
import type { ChangeSource } from './change-source.js';

/** Options of {@link createDashboardApp}: what the dashboard shows and who may change it. */
export interface DashboardAppOptions {
  /** The backend whose runs, items and workers the dashboard reads and controls. */
  readonly backend: Backend;
  /** Workflow definitions: their graphs are drawn, and runs of them can be started by name. */
  readonly workflows?: readonly AnyWorkflow[];
  /**
   * Secret for API requests. When set, every `/api` and `/metrics` request must carry it in the
   * `Authorization: Bearer <token>` header. When absent (loopback only), a random per-process token is
   * still required for state-changing requests and handed to the page the dashboard serves.
   */
  readonly token?: string;
  /**
   * Where live updates come from; default: a `FeedChangeSource` (runs from the backend's change feed,
   * workers' heartbeats polled every `pollMs`).
   */
  readonly changes?: ChangeSource;
  /** Period of the default change source's heartbeat poll (default 500 ms). */
  readonly pollMs?: number;
  readonly logger?: Logger;
}

/** Options of {@link serveDashboard}: the app's options plus where to listen. */
export interface ServeDashboardOptions extends DashboardAppOptions {
  /** Interface to bind (default `127.0.0.1`); anything but loopback requires `token`. */
  readonly host?: string;
  /** Port (default 4400; 0 picks a free port). */
  readonly port?: number;
}

/** A running dashboard. */
export interface DashboardServer {
  /** Base URL, e.g. `http://127.0.0.1:4400/`. */
  readonly url: string;
  /** The token state-changing requests need: the one given, or the one generated for this process. */
  readonly token: string;
  /** Stops listening, ends live streams and stops polling the backend. Does not close the backend. */
  close(): Promise<void>;
}
