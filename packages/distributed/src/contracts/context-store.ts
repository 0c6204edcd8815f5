import type { ContextFieldKind, LoggedEvent } from '@floxide/core';

/** A run's context state with its version; the version increases by one with every commit that changes it. */
export interface VersionedContext {
  readonly state: unknown;
  readonly version: number;
}

/** What {@link ContextStore.read} should fetch. */
export interface ContextReadRequest {
  /**
   * The kind of every field of the run's workflow. A run whose context is still stored as one document
   * (as `startRun` and older releases store it) is split into per-field storage by its first read, and
   * only the layout says which fields are event logs.
   */
  readonly layout: Readonly<Record<string, ContextFieldKind>>;
  /** Fields to read whole, with their per-field versions (any kind but `eventLog`). */
  readonly fields: readonly string[];
  /** Event-log fields to read, each from a position on (0 = the whole log): only the tail is shipped. */
  readonly logs: Readonly<Record<string, number>>;
}

/** One field read whole: its state and its own version (raised by each commit that changed a reducer). */
export interface ContextFieldRead {
  readonly value: unknown;
  readonly version: number;
}

/** The answer of {@link ContextStore.read}. */
export interface ContextRead {
  readonly fields: Readonly<Record<string, ContextFieldRead>>;
  /** For each requested log, its events from the requested position on, in log order. */
  readonly logs: Readonly<Record<string, readonly LoggedEvent<unknown>[]>>;
}

/**
 * A run's context, stored per field. Created by `startRun` (version 0), changed only by commits (see
 * `ContextCommit`: counters incremented, event logs appended to, registers set, reducers compare-and-set
 * on their own version).
 * @remarks Missing run: `undefined`.
 */
export interface ContextStore {
  /** The whole context (every field, whole event logs) and its version: for the orchestrator and tools. */
  get(runId: string): Promise<VersionedContext | undefined>;
  /**
   * Reads some fields, and event logs from a position on, without loading the rest of the context: what a
   * worker reads before running a step. Positions are stable: a log only grows at its end.
   */
  read(runId: string, request: ContextReadRequest): Promise<ContextRead | undefined>;
}
