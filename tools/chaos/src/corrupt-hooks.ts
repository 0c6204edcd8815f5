import type { Backend } from '@floxide/distributed';
import { corruptPostgresRecord, POSTGRES_CORRUPTIBLE } from '@floxide/postgres/test-support/corrupt-record';
import { CORRUPT_RECORD_KINDS, corruptRedisRecord } from '@floxide/redis/test-support/corrupt-record';
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
 * The corrupt hooks by backend: the same functions the backends' conformance `corrupt` hooks use, reached
 * through a workspace-only export (`<backend>/test-support/corrupt-record`, resolved by the
 * `@floxide/source` condition and never published). Memory stores live objects and has none.
 */
export const CORRUPT_HOOKS: Partial<Record<BackendName, CorruptHook>> = {
  redis: { kinds: CORRUPT_RECORD_KINDS, corrupt: corruptRedisRecord },
  postgres: { kinds: POSTGRES_CORRUPTIBLE, corrupt: corruptPostgresRecord },
};
