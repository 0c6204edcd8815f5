import type { Backend } from '@floxide/distributed';
import type { BackendName } from './backends.js';

/** A kind of stored record a backend may corrupt (same names as `@floxide/conformance`'s corrupt suite). */
export type CorruptRecordKind = 'run' | 'item' | 'context' | 'join' | 'outbox' | 'job';

/** A backend's way to break one of its stored records, for the corrupt-record chaos cases. */
export interface CorruptHook {
  readonly kinds: readonly CorruptRecordKind[];
  /** Overwrites the stored record of `kind` belonging to `runId` with garbage. */
  corrupt(backend: Backend, runId: string, kind: CorruptRecordKind): Promise<void>;
}

/**
 * The corrupt hooks by backend. Memory stores live objects and has none. The Redis and Postgres
 * backends register theirs here (the same functions their conformance `corrupt` hooks use); the
 * corrupt-record cases run for every backend with a hook.
 */
export const CORRUPT_HOOKS: Partial<Record<BackendName, CorruptHook>> = {};
