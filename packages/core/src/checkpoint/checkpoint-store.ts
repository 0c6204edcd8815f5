import type { Checkpoint } from './checkpoint.js';

/**
 * Where the local engine keeps checkpoints.
 *
 * @remarks
 * `save` is a compare-and-set: it stores `checkpoint` only when the stored version equals
 * `expectedVersion` (0 when nothing is stored) and otherwise throws `CheckpointConflictError`; it must
 * be atomic. The engine may reuse the objects inside `checkpoint` after `save` is called, so a store
 * serialises (or copies) it before its first `await`. `load` returns `undefined` for an unknown run.
 *
 * @example
 * ```ts
 * const store: CheckpointStore = new MemoryCheckpointStore();
 * await wf.run(input, { checkpoint: store, runId: 'r1' });
 * ```
 */
export interface CheckpointStore {
  load(runId: string): Promise<Checkpoint | undefined>;
  save(runId: string, checkpoint: Checkpoint, expectedVersion: number): Promise<void>;
}
