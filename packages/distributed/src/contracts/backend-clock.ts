/**
 * The clock a backend judges time by: due times, lease expiry and run deadlines are compared with it, never
 * with a worker's own clock, so a worker whose clock is off by an hour neither fails runs early nor lets
 * them overrun.
 *
 * @remarks
 * `now()` may be an estimate: the Redis and Postgres backends measure their server's offset from the local
 * clock with one round trip and refresh it every few seconds, so a step pays no extra round trip in the
 * steady state.
 *
 * @example
 * ```ts
 * const now = backend.clock ? await backend.clock.now() : Date.now();
 * ```
 */
export interface BackendClock {
  /** The backend's current time (epoch ms). */
  now(): Promise<number>;
}
