/**
 * Cron schedule (issue 16, no Rust counterpart): a report workflow scheduled every second, fired by two
 * orchestrators at once (as two processes would): each tick starts exactly one run, named
 * `schedule:<id>:<tick>`, and a worker runs them.
 */
import { node, workflow } from '@floxide/core';
import { DistributedOrchestrator, DistributedWorker, MemoryBackend } from '@floxide/distributed';
import { runMain } from './run-main.js';

const report = node({
  name: 'report',
  process: (input: { team: string }) => `report for ${input.team}`,
});

/** One node that writes a (pretend) report. */
export const reportWorkflow = workflow({ name: 'report' }).start(report).build();

/** Schedules the report every second, lets two schedulers fire for `ticks` ticks, returns the runs. */
export async function main(ticks = 3): Promise<{ runs: number; distinctTicks: number; outputs: string[] }> {
  const backend = new MemoryBackend();
  const worker = new DistributedWorker({ backend, workflows: [reportWorkflow], idleWaitMs: 100 });
  const a = new DistributedOrchestrator({ backend, workflows: [reportWorkflow] });
  const b = new DistributedOrchestrator({ backend, workflows: [reportWorkflow] });
  await worker.start();
  try {
    await a.schedule(reportWorkflow, { id: 'ops-report', cron: '* * * * * *', input: { team: 'ops' } });
    const loops = [a.startScheduler({ intervalMs: 100 }), b.startScheduler({ intervalMs: 100 })];
    let runIds: string[] = [];
    while (runIds.length < ticks) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      runIds = (await a.runs({ runIdPrefix: 'schedule:ops-report:' })).runs.map((run) => run.runId);
    }
    await Promise.all(loops.map((loop) => loop.stop()));
    await a.unschedule('ops-report');
    runIds = (await a.runs({ runIdPrefix: 'schedule:ops-report:', limit: 100 })).runs.map((run) => run.runId);
    const outputs = await Promise.all(
      runIds.map(async (runId) => (await a.wait(runId, { timeoutMs: 10_000 })).output as string),
    );
    return { runs: runIds.length, distinctTicks: new Set(runIds).size, outputs: [...new Set(outputs)] };
  } finally {
    await worker.close();
    await backend.close();
  }
}

runMain(import.meta.url, main);
