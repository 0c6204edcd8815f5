import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WORKER_CONFIG_ENV, type DemoWorkerConfig } from './demo-worker-config.js';

/** Options of {@link WorkerFleet}. */
export interface WorkerFleetOptions {
  readonly size: number;
  readonly config: DemoWorkerConfig;
  /** Called with each line a worker prints on stderr (e.g. to show it with `--verbose`). */
  readonly onLog?: (line: string) => void;
}

/**
 * N real worker processes running the demo pipeline against a shared backend.
 *
 * @remarks
 * `killOne()` SIGKILLs a random worker and starts a replacement: the dead worker gets no chance to clean up,
 * which is the point — its leased items come back when the leases expire and the demo checks nothing was
 * lost or counted twice.
 */
export class WorkerFleet {
  private readonly children = new Set<ChildProcess>();
  private readonly entry = fileURLToPath(new URL('./demo-worker.ts', import.meta.url));
  private readonly tsx = import.meta.resolve('tsx');
  private closing = false;
  // If the demo process exits abruptly (Ctrl-C, an error), its workers must not outlive it as orphans.
  private readonly killAllNow = (): void => {
    for (const child of this.children) child.kill('SIGKILL');
  };
  /** Workers killed with SIGKILL so far. */
  kills = 0;
  /** Workers that exited on their own with a non-zero code (a bug, reported in the summary). */
  crashes = 0;

  constructor(private readonly options: WorkerFleetOptions) {}

  /** Running worker processes. */
  get size(): number {
    return this.children.size;
  }

  /** Starts the initial workers. */
  start(): void {
    process.once('exit', this.killAllNow);
    for (let i = 0; i < this.options.size; i++) this.spawnWorker();
  }

  /** Kills one random worker with SIGKILL and starts a replacement. */
  killOne(): void {
    const victims = [...this.children];
    const victim = victims[Math.floor(Math.random() * victims.length)];
    if (victim === undefined) return;
    this.children.delete(victim);
    victim.kill('SIGKILL');
    this.kills++;
    this.spawnWorker();
  }

  /** Stops every worker gracefully (SIGTERM), SIGKILLing any still alive after `graceMs`. */
  async close(graceMs = 5_000): Promise<void> {
    this.closing = true;
    await Promise.all([...this.children].map((child) => stopChild(child, graceMs)));
    this.children.clear();
    process.off('exit', this.killAllNow);
  }

  private spawnWorker(): void {
    if (this.closing) return;
    const child = spawn(
      process.execPath,
      ['--conditions=@floxide/source', '--import', this.tsx, this.entry],
      {
        env: { ...process.env, [WORKER_CONFIG_ENV]: JSON.stringify(this.options.config) },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    this.children.add(child);
    let buffered = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') this.options.onLog?.(line);
    });
    child.on('exit', (code, signal) => {
      const wasTracked = this.children.delete(child);
      // A worker that dies on its own (not killed by us, not during close) is replaced and counted.
      if (wasTracked && !this.closing && signal === null && code !== 0) {
        this.crashes++;
        this.spawnWorker();
      }
    });
  }
}

function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
