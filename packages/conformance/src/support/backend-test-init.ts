import type { Backend } from '@floxide/distributed';

/**
 * How a suite obtains backends: a display name, a factory and a destructor.
 *
 * @remarks
 * Every test calls `create()` once and `destroy()` once, so `create()` must return a backend isolated from
 * every other one (a fresh key prefix, schema or database): the suites use fixed run ids and assume an
 * empty backend. `destroy()` must release everything `create()` opened (connections, timers, schemas).
 *
 * @example
 * ```ts
 * const init: BackendTestInit = {
 *   name: 'memory',
 *   create: () => Promise.resolve(new MemoryBackend()),
 *   destroy: (backend) => backend.close(),
 * };
 * describeBackendContract(init);
 * ```
 */
export interface BackendTestInit {
  /** Shown in the suite titles, e.g. `redis`. */
  readonly name: string;
  /** Returns a new, empty, isolated backend. */
  create(): Promise<Backend>;
  /** Closes the backend and drops whatever `create()` set up for it. */
  destroy(backend: Backend): Promise<void>;
}

/** Timeout of every suite test and hook (ms): generous, for remote backends on loaded CI machines. */
export const SUITE_TEST_TIMEOUT_MS = 60_000;
