import { describe, expect, it } from 'vitest';
import { main, REMINDER_DELAY_MS, reminderWorkflow } from './reminder.js';

describe('reminder example', () => {
  it('sleeps in the backend while no worker runs, then sends the reminder on time', async () => {
    const result = await main();
    expect(result.text).toBe('Reminder for ada');
    expect(result.sleptWithoutWorker).toBe(true);
    expect(result.waitedMs).toBeGreaterThanOrEqual(REMINDER_DELAY_MS - 20);
    expect(result.waitedMs).toBeLessThan(REMINDER_DELAY_MS + 3_000);
  });

  it('waits in process on the local engine', async () => {
    const started = Date.now();
    const output = await reminderWorkflow.run('bob');
    expect(output.text).toBe('Reminder for bob');
    expect(output.sentAt - started).toBeGreaterThanOrEqual(REMINDER_DELAY_MS - 20);
  });
});
