import { CheckpointConflictError } from '../errors/errors.js';
import type { Checkpoint } from './checkpoint.js';
import type { CheckpointStore } from './checkpoint-store.js';

/**
 * A {@link CheckpointStore} in this process's memory, holding each checkpoint as a JSON string.
 *
 * @remarks
 * Storing JSON text (not objects) proves checkpoints are plain JSON and isolates them from later
 * mutation. Lost when the process exits.
 *
 * @example
 * ```ts
 * const store = new MemoryCheckpointStore();
 * await wf.run(1, { checkpoint: store, runId: 'r1' }).catch(() => undefined);
 * await wf.resume('r1', { checkpoint: store });
 * ```
 */
export class MemoryCheckpointStore implements CheckpointStore {
  private readonly entries = new Map<string, { readonly version: number; readonly json: string }>();

  load(runId: string): Promise<Checkpoint | undefined> {
    const entry = this.entries.get(runId);
    return Promise.resolve(entry === undefined ? undefined : (JSON.parse(entry.json) as Checkpoint));
  }

  save(runId: string, checkpoint: Checkpoint, expectedVersion: number): Promise<void> {
    const current = this.entries.get(runId)?.version ?? 0;
    if (current !== expectedVersion) {
      return Promise.reject(
        new CheckpointConflictError(
          `checkpoint of run '${runId}' is at version ${current}, expected ${expectedVersion}`,
        ),
      );
    }
    this.entries.set(runId, { version: checkpoint.version, json: JSON.stringify(checkpoint) });
    return Promise.resolve();
  }

  /** Forgets a run's checkpoint. */
  delete(runId: string): void {
    this.entries.delete(runId);
  }

  /** Ids of the runs with a checkpoint. */
  runIds(): string[] {
    return [...this.entries.keys()];
  }
}
