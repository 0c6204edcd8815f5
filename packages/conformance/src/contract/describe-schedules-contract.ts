import { describe, expect, it } from 'vitest';
import type { ScheduleRecord, ScheduleStore } from '@floxide/distributed';
import type { BackendTestInit } from '../support/backend-test-init.js';
import { useBackend } from '../support/use-backend.js';

function definition(id: string, fields: Partial<ScheduleRecord> = {}): Omit<ScheduleRecord, 'lastTickAt'> {
  return {
    id,
    workflow: 'report',
    version: 1,
    cron: '*/5 * * * *',
    input: { team: 'a' },
    missed: 'skip',
    createdAt: 1_000,
    ...fields,
  };
}

/**
 * Contract of `backend.schedules`: upsert keeping `createdAt` and fired ticks, id order, idempotent delete,
 * `markFired` only ever raising the latest tick.
 */
export function describeSchedulesContract(init: BackendTestInit): void {
  describe('ScheduleStore', () => {
    const backend = useBackend(init);
    const store = (): ScheduleStore => {
      const schedules = backend().schedules;
      if (schedules === undefined) throw new Error(`${init.name} has no schedule store`);
      return schedules;
    };

    it('stores a schedule, reads a missing one as undefined and lists them in id order', async () => {
      expect(await store().put(definition('b'))).toEqual(definition('b'));
      await store().put(definition('a', { timezone: 'Europe/Paris', missed: 'catchUp' }));
      expect(await store().get('a')).toEqual(
        definition('a', { timezone: 'Europe/Paris', missed: 'catchUp' }),
      );
      expect(await store().get('missing')).toBeUndefined();
      expect((await store().list()).map((s) => s.id)).toEqual(['a', 'b']);
    });

    it('a redefinition replaces the definition but keeps createdAt and the fired ticks', async () => {
      await store().put(definition('s'));
      await store().markFired('s', 60_000);
      const redefined = await store().put(definition('s', { cron: '0 * * * *', createdAt: 9_000, input: 2 }));
      expect(redefined).toEqual(definition('s', { cron: '0 * * * *', input: 2, lastTickAt: 60_000 }));
      expect(await store().get('s')).toEqual(redefined);
    });

    it('markFired only raises the latest tick, and ignores a missing schedule', async () => {
      await store().put(definition('s'));
      await store().markFired('s', 300_000);
      await store().markFired('s', 120_000);
      expect((await store().get('s'))?.lastTickAt).toBe(300_000);
      await Promise.all([store().markFired('s', 600_000), store().markFired('s', 900_000)]);
      expect((await store().get('s'))?.lastTickAt).toBe(900_000);
      await store().markFired('missing', 1);
      expect(await store().get('missing')).toBeUndefined();
      expect((await store().list()).map((s) => s.id)).toEqual(['s']);
    });

    it('delete says whether the schedule existed and forgets its ticks', async () => {
      await store().put(definition('s'));
      await store().markFired('s', 300_000);
      expect(await store().delete('s')).toBe(true);
      expect(await store().delete('s')).toBe(false);
      expect(await store().get('s')).toBeUndefined();
      await store().put(definition('s'));
      expect((await store().get('s'))?.lastTickAt).toBeUndefined();
    });
  });
}
