import type { ScheduleRecord, ScheduleStore } from '@floxide/distributed';
import { parseJson } from './item-codec.js';
import type { RedisShared } from './redis-shared.js';

type Definition = Omit<ScheduleRecord, 'lastTickAt'>;

/**
 * The Redis {@link ScheduleStore}: definitions in the hash `<prefix>:schedules` (id → JSON), the latest
 * fired tick of each in the sorted set `<prefix>:schedule-ticks`, raised with `ZADD GT` so concurrent
 * schedulers never lower it.
 *
 * @example
 * ```ts
 * const schedules = await backend.schedules.list();
 * ```
 */
export class RedisScheduleStore implements ScheduleStore {
  readonly #shared: RedisShared;

  constructor(shared: RedisShared) {
    this.#shared = shared;
  }

  /** Upserts the definition, keeping `createdAt` and the fired ticks of an existing schedule. */
  async put(record: Definition): Promise<ScheduleRecord> {
    const s = this.#shared;
    return s.guard('schedules.put', async () => {
      const raw = await s.client.hget(s.keys.schedules, record.id);
      const existing = raw === null ? undefined : parseJson<Definition>(raw, 'schedule');
      const stored: Definition = { ...record, createdAt: existing?.createdAt ?? record.createdAt };
      await s.client.hset(s.keys.schedules, record.id, JSON.stringify(stored));
      return (await this.get(record.id)) ?? stored;
    });
  }

  /** The schedule with its latest fired tick, or `undefined`. */
  async get(id: string): Promise<ScheduleRecord | undefined> {
    const s = this.#shared;
    return s.guard('schedules.get', async () => {
      const [raw, tick] = await Promise.all([
        s.client.hget(s.keys.schedules, id),
        s.client.zscore(s.keys.scheduleTicks, id),
      ]);
      return raw === null ? undefined : withTick(parseJson<Definition>(raw, 'schedule'), tick);
    });
  }

  /** Every schedule in id order. */
  async list(): Promise<ScheduleRecord[]> {
    const s = this.#shared;
    return s.guard('schedules.list', async () => {
      const [all, ticks] = await Promise.all([
        s.client.hgetall(s.keys.schedules),
        s.client.zrange(s.keys.scheduleTicks, 0, '-1', 'WITHSCORES'),
      ]);
      const tickOf = new Map<string, string>();
      for (let i = 0; i + 1 < ticks.length; i += 2) tickOf.set(ticks[i] as string, ticks[i + 1] as string);
      return Object.keys(all)
        .sort()
        .map((id) => withTick(parseJson<Definition>(all[id] as string, 'schedule'), tickOf.get(id) ?? null));
    });
  }

  /** Removes the schedule and its fired ticks; whether it existed. */
  async delete(id: string): Promise<boolean> {
    const s = this.#shared;
    return s.guard('schedules.delete', async () => {
      const removed = await s.client.hdel(s.keys.schedules, id);
      await s.client.zrem(s.keys.scheduleTicks, id);
      return removed > 0;
    });
  }

  /** Raises the schedule's latest fired tick to `tickAt` (never lowers it); missing schedule: no-op. */
  async markFired(id: string, tickAt: number): Promise<void> {
    const s = this.#shared;
    await s.guard('schedules.markFired', async () => {
      if ((await s.client.hexists(s.keys.schedules, id)) === 0) return;
      await s.client.zadd(s.keys.scheduleTicks, 'GT', Math.round(tickAt), id);
    });
  }
}

function withTick(record: Definition, tick: string | null): ScheduleRecord {
  return tick === null ? record : { ...record, lastTickAt: Number(tick) };
}
