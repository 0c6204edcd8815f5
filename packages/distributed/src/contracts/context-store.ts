/** A run's context state with its version; the version increases by one with every context change. */
export interface VersionedContext {
  readonly state: unknown;
  readonly version: number;
}

/**
 * A run's context. Created by `startRun` (version 0), changed only by commits that carry a context update
 * with the matching `expectedVersion` (optimistic concurrency; a mismatch is a `conflict`).
 * @remarks Missing run: `undefined`.
 */
export interface ContextStore {
  get(runId: string): Promise<VersionedContext | undefined>;
}
