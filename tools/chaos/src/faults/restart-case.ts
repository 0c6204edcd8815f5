import type { FaultCase } from './fault-case.js';
import { checkCompleted, mapLimited } from './check-runs.js';
import { STORM_BRANCHES, STORM_ITEMS, stormWorkflow } from './fault-workflows.js';
import { InProcessWorkers } from './in-process-workers.js';
import { startPrivateServer, STOP_MODES, type StopMode } from './private-server.js';
import { sleep, withTarget } from './with-target.js';

/**
 * Server restart: runs go through 2 workers on a private server that is stopped for `size.restart.downMs`
 * mid-load and started again. Nobody tells the workers: they must reconnect on their own, and every run
 * must complete with its counter exact. One case per stop mode (Redis SIGTERM/SIGKILL, PostgreSQL
 * `pg_ctl -m fast`/`-m immediate`).
 */
export function restartCase(): FaultCase {
  return {
    name: 'server restart',
    async run({ backend, size, note }) {
      const violations: string[] = [];
      const figures: string[] = [];
      for (const mode of STOP_MODES[backend]) {
        const result = await restartOnce(backend, mode, size, note);
        figures.push(`${mode}: ${result.outcome}`);
        violations.push(...result.violations.map((v) => `${mode}: ${v}`));
      }
      return { outcome: figures.join('; '), violations };
    },
  };
}

async function restartOnce(
  backend: Parameters<FaultCase['run']>[0]['backend'],
  mode: StopMode,
  size: Parameters<FaultCase['run']>[0]['size'],
  note: (line: string) => void,
): Promise<{ outcome: string; violations: string[] }> {
  const server = await startPrivateServer(backend);
  try {
    return await withTarget(
      backend,
      async ({ target, backend: store, orchestrator }) => {
        const wf = stormWorkflow();
        const workers = await InProcessWorkers.start(target, 2);
        try {
          const inputs = Array.from({ length: size.restart.runs }, (_, i) => i);
          const runIds = await mapLimited(inputs, 8, (i) => orchestrator.start(wf, i));
          // Mid-load: the first run has completed, most have not.
          const loadEnd = Date.now() + 30_000;
          while (Date.now() < loadEnd && (await orchestrator.status(runIds[0] as string)) !== 'completed')
            await sleep(50);
          const doneBefore = (await Promise.all(runIds.map((id) => orchestrator.status(id)))).filter(
            (s) => s === 'completed',
          ).length;
          const stoppedAt = Date.now();
          await server.stop(mode);
          await sleep(size.restart.downMs);
          await server.start();
          const downMs = Date.now() - stoppedAt;
          note(`${mode}: stopped with ${doneBefore}/${runIds.length} runs done, back after ${downMs} ms`);
          const expected = await Promise.all(inputs.map((i) => wf.run(i)));
          const check = await checkCompleted(
            store,
            orchestrator,
            runIds.map((runId, i) => ({
              runId,
              output: expected[i],
              items: STORM_ITEMS,
              counter: { field: 'hits', value: STORM_BRANCHES },
            })),
            size.settleMs,
          );
          const afterMs = Date.now() - stoppedAt - downMs;
          return {
            outcome: `${check.completed}/${runIds.length} completed exactly, down ${(downMs / 1000).toFixed(1)} s, the rest done ${(afterMs / 1000).toFixed(1)} s after restart`,
            violations: check.violations,
          };
        } finally {
          await workers.close();
        }
      },
      { url: server.url },
    );
  } finally {
    await server.destroy();
  }
}
