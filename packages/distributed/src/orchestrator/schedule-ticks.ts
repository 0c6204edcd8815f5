import { ValidationError } from '@floxide/core';
import { CronExpressionParser, type CronExpression } from 'cron-parser';
import type { ScheduleRecord } from '../contracts/schedule-store.js';

/** The most ticks one `fireSchedules` pass starts for one `catchUp` schedule; the next pass goes on. */
export const MAX_CATCH_UP_TICKS = 1_000;

function expression(cron: string, timezone: string | undefined, from: number): CronExpression {
  return CronExpressionParser.parse(cron, { currentDate: new Date(from), tz: timezone ?? 'UTC' });
}

/**
 * Checks a cron expression and time zone, throwing a `ValidationError` naming what is wrong (the
 * expression's own error message, or the unknown time zone).
 */
export function checkCron(cron: string, timezone: string | undefined): void {
  if (typeof cron !== 'string' || cron.trim() === '')
    throw new ValidationError('a schedule needs a cron expression');
  let parsed: CronExpression;
  try {
    parsed = expression(cron, undefined, Date.now());
  } catch (error) {
    throw new ValidationError(`invalid cron expression '${cron}': ${(error as Error).message}`);
  }
  if (timezone === undefined) {
    parsed.next();
    return;
  }
  try {
    expression(cron, timezone, Date.now()).next();
  } catch {
    throw new ValidationError(`unknown time zone '${timezone}'`);
  }
}

/**
 * The ticks of `record` due at `now` that have not fired: those after its last fired tick (or its
 * creation) up to `now`, oldest first. `skip` keeps only the latest of them (missed ticks are skipped);
 * `catchUp` keeps them all, at most {@link MAX_CATCH_UP_TICKS}.
 */
export function dueTicks(record: ScheduleRecord, now: number): number[] {
  const from = record.lastTickAt ?? record.createdAt;
  if (now <= from) return [];
  if (record.missed === 'skip') {
    // The latest tick at or before now, found backwards: a long outage costs no iteration over it.
    const latest = expression(record.cron, record.timezone, now + 1)
      .prev()
      .getTime();
    return latest > from ? [latest] : [];
  }
  const ticks: number[] = [];
  const cron = expression(record.cron, record.timezone, from);
  while (ticks.length < MAX_CATCH_UP_TICKS) {
    const tick = cron.next().getTime();
    if (tick > now) break;
    if (tick > from) ticks.push(tick);
  }
  return ticks;
}

/** The run id of one tick of a schedule: the same in every orchestrator, so a second start is a no-op. */
export function scheduleRunId(scheduleId: string, tickAt: number): string {
  return `schedule:${scheduleId}:${tickAt}`;
}
