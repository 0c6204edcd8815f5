import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorkerConfig, WorkerMessage } from './worker-protocol.js';

/** The report a worker process sends when stopped. */
export type WorkerReport = Extract<WorkerMessage, { type: 'report' }>;

/** Progress as last reported by the worker process. */
export interface WorkerProgress {
  readonly at: number;
  readonly steps: number;
  readonly runsDone: number;
  readonly anomalies: number;
}

/** A spawned worker process; `TReport` is what its entry sends when stopped. */
export interface WorkerHandle<TReport = WorkerReport> {
  /** Resolves once the contender's worker consumes. */
  readonly ready: Promise<void>;
  /** Resolves when `expectedRuns` runs finished; rejects if the process fails or exits first. */
  readonly complete: Promise<void>;
  /** Latest progress message. */
  progress(): WorkerProgress | undefined;
  /** Calls `listener` on every progress message. */
  onProgress(listener: (progress: WorkerProgress) => void): void;
  /**
   * Asks the worker to close, waits for its report and for the process to exit. A worker that has not
   * reported within `timeoutMs` (default 60 s) is killed and the promise rejects.
   */
  stop(options?: { timeoutMs?: number }): Promise<TReport>;
  /** Kills the process (cleanup after a failure). */
  kill(): void;
}

const workerMain = fileURLToPath(new URL('./worker-main.ts', import.meta.url));

/** Workers spawned by this process: P8 starts several in the same millisecond, each needs its own profile. */
let spawned = 0;

/** What every worker entry's configuration carries (the rest is the entry's own). */
interface SpawnConfig {
  readonly contender: string;
}

/** Options of {@link spawnWorker}. */
export interface SpawnOptions {
  readonly timeoutMs: number;
  /**
   * The worker entry (a `.ts` file speaking the {@link WorkerMessage} protocol, reading its JSON config
   * from `BENCH_WORKER_CONFIG`); default: the chain workload's `worker-main.ts`.
   */
  readonly entry?: string;
}

/**
 * Spawns `node --conditions=@floxide/source --import tsx worker-main.ts` for one contender.
 *
 * @remarks
 * A separate process so the orchestrating process (enqueueing, measuring) does not steal the worker's
 * event loop; on a 2-core machine this matches a real deployment of one worker next to one producer.
 */
export function spawnWorker<TReport extends { readonly type: 'report' } = WorkerReport>(
  config: WorkerConfig | SpawnConfig,
  options: SpawnOptions,
): WorkerHandle<TReport> {
  // `pnpm bench --cpu-prof <dir>` profiles every worker process (see main.ts).
  const profileDir = process.env['BENCH_CPU_PROF_DIR'];
  const child: ChildProcess = fork(options.entry ?? workerMain, [], {
    execArgv: [
      '--conditions=@floxide/source',
      '--import',
      'tsx',
      ...(profileDir
        ? [
            '--cpu-prof',
            `--cpu-prof-dir=${profileDir}`,
            `--cpu-prof-name=${config.contender}-${Date.now()}-${++spawned}.cpuprofile`,
          ]
        : []),
    ],
    env: { ...process.env, BENCH_WORKER_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let latest: WorkerProgress | undefined;
  const listeners: ((progress: WorkerProgress) => void)[] = [];
  const rejecters: ((error: Error) => void)[] = [];
  const rejectAll = (error: Error): void => {
    for (const reject of rejecters) reject(error);
  };
  let resolveReady!: () => void;
  let resolveComplete!: () => void;
  let resolveReport!: (report: TReport) => void;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejecters.push(reject);
  });
  const complete = new Promise<void>((resolve, reject) => {
    resolveComplete = resolve;
    rejecters.push(reject);
  });
  const report = new Promise<TReport>((resolve, reject) => {
    resolveReport = resolve;
    rejecters.push(reject);
  });
  // Callers may await only some of these; unobserved rejections must not crash the process.
  for (const p of [ready, complete, report]) p.catch(() => undefined);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let reported = false;

  // Entries other than worker-main send their own report shape; only `type` is read here.
  child.on('message', (raw: unknown) => {
    const message = raw as WorkerMessage;
    switch (message.type) {
      case 'ready':
        resolveReady();
        break;
      case 'progress':
        latest = message;
        for (const listener of listeners) listener(message);
        break;
      case 'complete':
        resolveComplete();
        break;
      case 'report':
        reported = true;
        resolveReport(raw as TReport);
        break;
      case 'failed':
        rejectAll(new Error(`${config.contender} worker failed: ${message.message}`));
        break;
    }
  });
  child.once('exit', (code, signal) => {
    if (!reported)
      rejectAll(
        new Error(`${config.contender} worker exited (code ${code}, signal ${signal}) before reporting`),
      );
  });
  const timer = setTimeout(() => {
    rejectAll(new Error(`${config.contender} worker did not finish within ${options.timeoutMs} ms`));
    child.kill('SIGKILL');
  }, options.timeoutMs);
  void exited.then(() => clearTimeout(timer));

  return {
    ready,
    complete,
    progress: () => latest,
    onProgress: (listener) => listeners.push(listener),
    async stop(stopOptions = {}) {
      if (child.connected) child.send({ type: 'stop' });
      const timeoutMs = stopOptions.timeoutMs ?? 60_000;
      const killer = setTimeout(() => {
        rejectAll(new Error(`${config.contender} worker did not stop within ${timeoutMs} ms (killed)`));
        child.kill('SIGKILL');
      }, timeoutMs);
      try {
        const result = await report;
        await exited;
        return result;
      } finally {
        clearTimeout(killer);
      }
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
