import type { RunEvent } from './records.js';

/**
 * A run's event history, appended by the backend atomically with the change it describes.
 * @remarks `read` returns events with `seq > afterSeq` in `seq` order; missing run: empty.
 */
export interface EventStore {
  read(runId: string, afterSeq: number, limit?: number): Promise<RunEvent[]>;
}
