import { describe, expect, it } from 'vitest';
import { node, workflow } from '@floxide/core';
import { z } from 'zod';
import type { BackendTestInit } from '../support/backend-test-init.js';
import { waitFor } from '../support/wait-for.js';
import { useEngineHarness } from './engine-harness.js';

const MINUTE = 60_000;

/** `report`: one node echoing the scheduled input (`{ team: string }`). */
function reportWorkflow() {
  const report = node({
    name: 'report',
    input: z.object({ team: z.string() }),
    process: (input) => ({ team: input.team, done: true }),
  });
  return workflow({ name: 'conformance-report', version: 1 }).start(report).build();
}

/**
 * Cron schedules (`orchestrator.schedule`): one run per tick however many orchestrators fire, the
 * missed-tick policies, validation, and the scheduler loop with workers running the runs.
 */
export function describeScheduleScenarios(init: BackendTestInit): void {
  describe('schedules', () => {
    const harness = useEngineHarness(init);

    it('two orchestrators catching up the same ticks start exactly one run per tick', async () => {
      const wf = reportWorkflow();
      const a = harness.orchestrator([wf]);
      const b = harness.orchestrator([wf]);
      const stored = await a.schedule(wf, {
        id: 'minutely',
        cron: '* * * * *',
        input: { team: 'ops' },
        missed: 'catchUp',
      });
      const now = stored.createdAt + 3.5 * MINUTE;
      const expected: string[] = [];
      for (let t = (Math.floor(stored.createdAt / MINUTE) + 1) * MINUTE; t <= now; t += MINUTE)
        expected.push(`schedule:minutely:${t}`);
      const [fromA, fromB] = await Promise.all([a.fireSchedules({ now }), b.fireSchedules({ now })]);
      expect(new Set([...fromA, ...fromB])).toEqual(new Set(expected));
      expect(await a.fireSchedules({ now })).toEqual([]);
      const { runs } = await a.runs({ runIdPrefix: 'schedule:minutely:', limit: 100 });
      expect(runs.map((run) => run.runId).sort()).toEqual([...expected].sort());
      expect((await b.schedules())[0]?.lastTickAt).toBe(Number(expected[expected.length - 1]?.split(':')[2]));
      await harness.startWorker({ workflows: [wf] });
      for (const runId of expected)
        expect(await a.wait(runId, { timeoutMs: 10_000 })).toMatchObject({
          status: 'completed',
          output: { team: 'ops', done: true },
        });
    });

    it("'skip' starts only the latest missed tick after downtime", async () => {
      const wf = reportWorkflow();
      const orchestrator = harness.orchestrator([wf]);
      const stored = await orchestrator.schedule(wf, {
        id: 'skipper',
        cron: '* * * * *',
        input: { team: 'x' },
      });
      expect(stored.missed).toBe('skip');
      // Ten minutes later, half-way through a minute: `now + 1_000` below must not reach the next tick
      // (`createdAt + 10.5 min` did, whenever the schedule was created 29–30 s into a minute).
      const latest = Math.floor(stored.createdAt / MINUTE) * MINUTE + 10 * MINUTE;
      const now = latest + MINUTE / 2;
      expect(await orchestrator.fireSchedules({ now })).toEqual([`schedule:skipper:${latest}`]);
      expect(await orchestrator.fireSchedules({ now: now + 1_000 })).toEqual([]);
      expect(await orchestrator.fireSchedules({ now: latest + MINUTE })).toEqual([
        `schedule:skipper:${latest + MINUTE}`,
      ]);
    });

    it('refuses a bad cron, time zone, policy or input with a ValidationError, and unschedules', async () => {
      const wf = reportWorkflow();
      const orchestrator = harness.orchestrator([wf]);
      const base = { id: 'bad', cron: '* * * * *', input: { team: 'a' } };
      await expect(orchestrator.schedule(wf, { ...base, cron: '61 * * * *' })).rejects.toMatchObject({
        code: 'VALIDATION',
        message: expect.stringContaining("invalid cron expression '61 * * * *'") as unknown,
      });
      await expect(orchestrator.schedule(wf, { ...base, timezone: 'Mars/Olympus' })).rejects.toMatchObject({
        code: 'VALIDATION',
        message: "unknown time zone 'Mars/Olympus'",
      });
      await expect(orchestrator.schedule(wf, { ...base, missed: 'often' as never })).rejects.toMatchObject({
        code: 'VALIDATION',
      });
      await expect(orchestrator.schedule(wf, { ...base, input: { team: 3 } as never })).rejects.toMatchObject(
        { code: 'VALIDATION' },
      );
      expect(await orchestrator.schedules()).toEqual([]);
      await orchestrator.schedule(wf, { ...base, timezone: 'Europe/Paris' });
      expect(await orchestrator.schedules()).toMatchObject([{ id: 'bad', timezone: 'Europe/Paris' }]);
      expect(await orchestrator.unschedule('bad')).toBe(true);
      expect(await orchestrator.unschedule('bad')).toBe(false);
      expect(await orchestrator.fireSchedules({ now: Date.now() + 10 * MINUTE })).toEqual([]);
    });

    it('the scheduler loops of two orchestrators start each second-tick once and workers run them', async () => {
      const wf = reportWorkflow();
      const a = harness.orchestrator([wf]);
      const b = harness.orchestrator([wf]);
      await harness.startWorker({ workflows: [wf] });
      await a.schedule(wf, { id: 'every-second', cron: '* * * * * *', input: { team: 'loop' } });
      const loops = [a.startScheduler({ intervalMs: 100 }), b.startScheduler({ intervalMs: 100 })];
      try {
        await waitFor(
          async () => (await a.runs({ runIdPrefix: 'schedule:every-second:' })).runs.length >= 2,
          { timeoutMs: 15_000, message: 'two ticks started' },
        );
      } finally {
        await Promise.all(loops.map((loop) => loop.stop()));
      }
      const { runs } = await a.runs({ runIdPrefix: 'schedule:every-second:', limit: 100 });
      const ticks = runs.map((run) => Number(run.runId.split(':')[2]));
      expect(new Set(ticks).size).toBe(ticks.length);
      for (const tick of ticks) expect(tick % 1_000).toBe(0);
      for (const run of runs)
        expect(await a.wait(run.runId, { timeoutMs: 10_000 })).toMatchObject({ status: 'completed' });
    });
  });
}
