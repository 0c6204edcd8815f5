import type { ScheduleRecord, ScheduleStore } from '../contracts/schedule-store.js';

/** The in-memory {@link ScheduleStore}: a map by id; returns copies. */
export class MemoryScheduleStore implements ScheduleStore {
  readonly #schedules = new Map<string, ScheduleRecord>();

  /** Upserts the definition, keeping `createdAt` and `lastTickAt` of an existing schedule. */
  async put(record: Omit<ScheduleRecord, 'lastTickAt'>): Promise<ScheduleRecord> {
    const existing = this.#schedules.get(record.id);
    const stored: ScheduleRecord = structuredClone({
      ...record,
      createdAt: existing?.createdAt ?? record.createdAt,
      ...(existing?.lastTickAt === undefined ? {} : { lastTickAt: existing.lastTickAt }),
    });
    this.#schedules.set(record.id, stored);
    return structuredClone(stored);
  }

  /** A copy of the schedule, or `undefined`. */
  async get(id: string): Promise<ScheduleRecord | undefined> {
    const record = this.#schedules.get(id);
    return record === undefined ? undefined : structuredClone(record);
  }

  /** Every schedule in id order. */
  async list(): Promise<ScheduleRecord[]> {
    return [...this.#schedules.keys()]
      .sort()
      .map((id) => structuredClone(this.#schedules.get(id) as ScheduleRecord));
  }

  /** Removes the schedule; whether it existed. */
  async delete(id: string): Promise<boolean> {
    return this.#schedules.delete(id);
  }

  /** Raises `lastTickAt` to `tickAt` (never lowers it); missing schedule: no-op. */
  async markFired(id: string, tickAt: number): Promise<void> {
    const record = this.#schedules.get(id);
    if (record === undefined || (record.lastTickAt ?? -Infinity) >= tickAt) return;
    this.#schedules.set(id, { ...record, lastTickAt: tickAt });
  }
}
