import type { ErrorInfo } from '@floxide/core';
import type { RunStatus } from './records.js';
import type { Lease } from './work-queue.js';

/** A step that returned `Transition.waitFor(name, { timeoutMs })`, to be parked by {@link SignalStore.park}. */
export interface ParkRequest {
  /** The lease the step ran under (its `(itemId, attempt)` is the park's idempotency key). */
  readonly lease: Lease;
  /** The signal name. */
  readonly name: string;
  /** Wait at most this long (ms, from the park, by the backend's clock); absent: no timeout. */
  readonly timeoutMs?: number;
  /**
   * The step ran with a delivered signal whose payload the `waitFor` schema refused: the park records this
   * `VALIDATION` error (an error record of the item) and the step waits again.
   */
  readonly refused?: ErrorInfo;
  /** Park time (epoch ms, the worker's clock: for records only). */
  readonly at: number;
}

/** What {@link SignalStore.park} did. */
export type ParkResult =
  /** The item waits (no lease, no worker slot) for the signal or its timeout. */
  | { readonly status: 'parked'; readonly runStatus: RunStatus }
  /** A signal of that name was already stored: it was consumed and the item runs again with it at once. */
  | { readonly status: 'delivered'; readonly runStatus: RunStatus }
  /** This `(itemId, attempt)` was already committed or parked: nothing changed. */
  | { readonly status: 'duplicate' }
  /** The run is cancelled, finished or gone: nothing changed. */
  | { readonly status: 'rejected'; readonly runStatus: RunStatus };

/** A signal sent to a run (see {@link SignalStore.deliver}). */
export interface SignalDelivery {
  readonly runId: string;
  /** The signal name a step waits for (`Transition.waitFor(name)`). */
  readonly name: string;
  /** JSON payload handed to the waiting step. */
  readonly payload: unknown;
  /** Idempotency id: a second signal to the run with the same id changes nothing (`duplicate`). */
  readonly signalId?: string;
  /** Send time (epoch ms, for records only). */
  readonly at: number;
}

/** What {@link SignalStore.deliver} did. */
export type SignalResult =
  /** A parked step of the run waited for it: the item runs again with the payload. */
  | { readonly status: 'delivered'; readonly itemId: string }
  /** No step waits for it yet: kept, and consumed by the next step of the run that waits for that name. */
  | { readonly status: 'stored' }
  /** A signal with this `signalId` was already sent to the run (even if it has finished since): nothing changed. */
  | { readonly status: 'duplicate' };

/**
 * Durable waiting for signals (human in the loop, webhooks), one atomic backend operation each.
 *
 * @remarks
 * A parked item is the step's item as its next attempt, carrying `parked: { name, timeoutAt? }` (see
 * `WorkItem.parked`), `waitAttempts` raised by one: it is outstanding (the run is not drained) but holds no
 * lease and no worker slot. With a timeout (or a run deadline) it becomes visible at the earlier of the two,
 * by the backend's clock, and the worker that leases it fails the step with `SignalTimeoutError` (the node's
 * on-failure edge, else the run fails). Delivery replaces it, atomically, by the next attempt carrying
 * `delivered: { name, payload }` (and `waitAttempts` raised again), visible at once; a parked item that is
 * leased (its timeout firing) takes no signal.
 *
 * Every park and delivery keeps `RunInfo.waitingFor` (the names the run's parked items wait for) and the run's
 * status: `waiting` while every outstanding item of the run is parked, `running` again once a delivery (or a
 * timeout's lease) gives it work. Signals of one name are consumed in the order they were stored.
 */
export interface SignalStore {
  /**
   * Parks the leased item of a step that waits for a signal (see the remarks), releasing its lease, in one
   * atomic, idempotent operation keyed by the lease's `(itemId, attempt)`. A signal of that name already
   * stored is consumed at once (`delivered`).
   */
  park(request: ParkRequest): Promise<ParkResult>;
  /**
   * Sends a signal to a run: delivered to its oldest parked item waiting for `name`, else stored. Throws
   * `RunNotFoundError` for an unknown run, `RunStateError` for a finished (completed, failed or cancelled)
   * one (unless `signalId` was received before: `duplicate`). Exactly once by `signalId`.
   */
  deliver(signal: SignalDelivery): Promise<SignalResult>;
}
