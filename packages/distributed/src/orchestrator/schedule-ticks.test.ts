import { describe, expect, it } from 'vitest';
import type { ScheduleRecord } from '../contracts/schedule-store.js';
import { checkCron, dueTicks, MAX_CATCH_UP_TICKS, scheduleRunId } from './schedule-ticks.js';

const at = (iso: string): number => Date.parse(iso);

function record(fields: Partial<ScheduleRecord>): ScheduleRecord {
  return {
    id: 's',
    workflow: 'w',
    version: 1,
    cron: '0 9 * * *',
    input: null,
    missed: 'catchUp',
    createdAt: at('2026-03-01T00:00:00Z'),
    ...fields,
  };
}

describe('schedule ticks', () => {
  it('catchUp lists every tick after the last fired one up to now, oldest first', () => {
    const ticks = dueTicks(record({}), at('2026-03-03T12:00:00Z'));
    expect(ticks.map((t) => new Date(t).toISOString())).toEqual([
      '2026-03-01T09:00:00.000Z',
      '2026-03-02T09:00:00.000Z',
      '2026-03-03T09:00:00.000Z',
    ]);
    const after = dueTicks(record({ lastTickAt: at('2026-03-02T09:00:00Z') }), at('2026-03-03T09:00:00Z'));
    expect(after).toEqual([at('2026-03-03T09:00:00Z')]);
  });

  it('skip keeps only the latest missed tick, and nothing when it already fired', () => {
    const skip = record({ missed: 'skip' });
    expect(dueTicks(skip, at('2026-03-03T12:00:00Z'))).toEqual([at('2026-03-03T09:00:00Z')]);
    expect(dueTicks({ ...skip, lastTickAt: at('2026-03-03T09:00:00Z') }, at('2026-03-03T12:00:00Z'))).toEqual(
      [],
    );
    expect(dueTicks(skip, at('2026-03-01T08:00:00Z'))).toEqual([]);
  });

  it('reads the expression in the schedule’s time zone (daylight saving included)', () => {
    const paris = record({ timezone: 'Europe/Paris', createdAt: at('2026-03-28T00:00:00Z') });
    const ticks = dueTicks(paris, at('2026-03-30T12:00:00Z'));
    // 09:00 in Paris is 08:00 UTC before the switch to summer time (29 March 2026) and 07:00 after.
    expect(ticks.map((t) => new Date(t).toISOString())).toEqual([
      '2026-03-28T08:00:00.000Z',
      '2026-03-29T07:00:00.000Z',
      '2026-03-30T07:00:00.000Z',
    ]);
  });

  it('catches up at most MAX_CATCH_UP_TICKS per pass', () => {
    const everySecond = record({ cron: '* * * * * *' });
    const ticks = dueTicks(everySecond, everySecond.createdAt + 5_000_000);
    expect(ticks).toHaveLength(MAX_CATCH_UP_TICKS);
    expect(ticks[0]).toBe(everySecond.createdAt + 1_000);
  });

  it('checks expressions and time zones, and names runs by schedule and tick', () => {
    expect(() => checkCron('*/5 * * * *', 'America/New_York')).not.toThrow();
    expect(() => checkCron('', undefined)).toThrow('a schedule needs a cron expression');
    expect(() => checkCron('not cron', undefined)).toThrow("invalid cron expression 'not cron'");
    expect(() => checkCron('* * * * *', 'Nowhere/City')).toThrow("unknown time zone 'Nowhere/City'");
    expect(scheduleRunId('daily', 1_000)).toBe('schedule:daily:1000');
  });
});
