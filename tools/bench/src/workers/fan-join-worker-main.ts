// Entry point of a P8 worker process: runs one fan-out → join contender's worker and reports over IPC.
// Several of these run side by side; the orchestrator sums their progress and merges their reports.
import { FanJoinProbe, type FanJoinProbeReport } from './fan-join-probe.js';
import type { FanJoinEnv } from './fan-join-contender.js';
import { loadFanJoinContender, type FanJoinContenderId } from './fan-join-registry.js';
import { nowMs } from './step-probe.js';
import type { ParentMessage, WorkerMessage } from './worker-protocol.js';

/** Configuration of a P8 worker process (`BENCH_WORKER_CONFIG`). */
export interface FanJoinWorkerConfig {
  readonly contender: FanJoinContenderId;
  readonly env: FanJoinEnv;
  readonly progressMs: number;
}

/** The report a P8 worker process sends when stopped. */
export interface FanJoinWorkerReport {
  readonly type: 'report';
  readonly probe: FanJoinProbeReport;
}

/** Sends a message to the orchestrating process (no-op when run by hand without IPC). */
function send(message: WorkerMessage | FanJoinWorkerReport): void {
  process.send?.(message);
}

/** Runs the worker until the parent says stop, then reports. */
async function main(): Promise<void> {
  const raw = process.env['BENCH_WORKER_CONFIG'];
  if (!raw) throw new Error('BENCH_WORKER_CONFIG is not set');
  const config = JSON.parse(raw) as FanJoinWorkerConfig;
  const contender = await loadFanJoinContender(config.contender);
  const probe = new FanJoinProbe(config.env.width);
  const stopped = new Promise<void>((resolve) => {
    process.on('message', (message: ParentMessage) => {
      if (message.type === 'stop') resolve();
    });
    process.on('disconnect', () => resolve());
  });
  const worker = await contender.startWorker(config.env, probe);
  const timer = setInterval(
    () => send({ type: 'progress', at: nowMs(), ...probe.progress() }),
    config.progressMs,
  );
  send({ type: 'ready' });
  await stopped;
  clearInterval(timer);
  await worker.close();
  send({ type: 'report', probe: probe.report() });
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
