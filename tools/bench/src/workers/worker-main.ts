// Entry point of a bench worker process: runs one queue contender's worker and reports over IPC.
import { diffOpCounts, installOpCounters, snapshotOpCounts, type OpCounts } from '../measure/op-counters.js';
import { loadContender } from './contender-registry.js';
import { nowMs, StepProbe } from './step-probe.js';
import type { ParentMessage, RssSample, WorkerConfig, WorkerMessage } from './worker-protocol.js';

/** Sends a message to the orchestrating process (no-op when run by hand without IPC). */
function send(message: WorkerMessage): void {
  process.send?.(message);
}

/** Runs the worker until the parent says stop, then reports. */
async function main(): Promise<void> {
  const raw = process.env['BENCH_WORKER_CONFIG'];
  if (!raw) throw new Error('BENCH_WORKER_CONFIG is not set');
  const config = JSON.parse(raw) as WorkerConfig;
  if (config.countOps) installOpCounters();
  const contender = await loadContender(config.contender);
  const probe = new StepProbe({ stepsPerRun: config.env.stepsPerRun, recordLatency: config.recordLatency });
  probe.markSteps(config.markSteps ?? []);
  const rss: RssSample[] = [];
  let opsAtReady: OpCounts = snapshotOpCounts();
  let opsAtComplete: OpCounts | undefined;

  probe.onRunFinished((runsDone) => {
    if (runsDone === config.expectedRuns) {
      opsAtComplete = snapshotOpCounts();
      send({ type: 'complete' });
    }
  });
  const stopped = new Promise<void>((resolve) => {
    process.on('message', (message: ParentMessage) => {
      if (message.type === 'stop') resolve();
    });
    process.on('disconnect', () => resolve());
  });

  const worker = await contender.startWorker(config.env, probe);
  const timer = setInterval(() => {
    const at = nowMs();
    const p = probe.progress();
    rss.push({ at, steps: p.steps, rss: process.memoryUsage.rss() });
    send({ type: 'progress', at, ...p });
  }, config.progressMs);
  opsAtReady = snapshotOpCounts();
  send({ type: 'ready' });

  await stopped;
  clearInterval(timer);
  await worker.close();
  const ops = diffOpCounts(opsAtReady, opsAtComplete ?? snapshotOpCounts());
  send({ type: 'report', probe: probe.report(), ops, rss });
  process.disconnect?.();
}

main().catch((error: unknown) => {
  send({
    type: 'failed',
    message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  });
  process.exitCode = 1;
  process.disconnect?.();
});
