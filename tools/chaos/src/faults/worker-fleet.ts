import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FaultTarget } from './fault-target.js';

const WORKER_SCRIPT = fileURLToPath(new URL('./fault-worker.ts', import.meta.url));
/** How long a worker process may take to print "ready" (tsx compiles on start; the machine is loaded). */
const READY_TIMEOUT_MS = 120_000;

/**
 * Worker processes (`fault-worker.ts`) on one target, each a real OS process that can be SIGKILLed.
 * Every process is ended by its own pid, never by name.
 */
export class WorkerFleet {
  readonly #target: FaultTarget;
  readonly #children = new Set<ChildProcess>();
  #spawned = 0;
  #kills = 0;

  constructor(target: FaultTarget) {
    this.#target = target;
  }

  /** Processes started so far (restarts included). */
  get spawned(): number {
    return this.#spawned;
  }

  /** Processes SIGKILLed so far. */
  get kills(): number {
    return this.#kills;
  }

  /** Live processes. */
  get size(): number {
    return this.#children.size;
  }

  /** Starts `count` workers (extra env, e.g. a clock skew) and waits until each prints "ready". */
  async spawn(count: number, env: Readonly<Record<string, string>> = {}): Promise<void> {
    await Promise.all(Array.from({ length: count }, () => this.#spawnOne(env)));
  }

  /**
   * The highest peak RSS (MB, Linux `VmHWM`) of the live workers; `undefined` where `/proc` is not there.
   */
  peakRssMb(): number | undefined {
    let peak: number | undefined;
    for (const child of this.#children) {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
        if (Number.isFinite(kb)) peak = Math.max(peak ?? 0, Math.round(kb / 1024));
      } catch {
        // No /proc (not Linux) or the process just exited.
      }
    }
    return peak;
  }

  /** SIGKILLs one random live worker and waits for it to die; false when none is alive. */
  async killRandom(): Promise<boolean> {
    const alive = [...this.#children];
    const victim = alive[Math.floor(Math.random() * alive.length)];
    if (!victim) return false;
    await this.#end(victim, 'SIGKILL');
    this.#kills += 1;
    return true;
  }

  /** Ends every worker: SIGTERM (graceful close), SIGKILL after `graceMs`. */
  async closeAll(graceMs = 3_000): Promise<void> {
    await Promise.all(
      [...this.#children].map(async (child) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        try {
          await this.#end(child, 'SIGTERM');
        } finally {
          clearTimeout(timer);
        }
      }),
    );
  }

  async #spawnOne(env: Readonly<Record<string, string>>): Promise<void> {
    const child = spawn(
      process.execPath,
      ['--conditions=@floxide/source', '--import', 'tsx', WORKER_SCRIPT],
      {
        env: { ...process.env, ...this.#target.env, ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    this.#spawned += 1;
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('a worker process did not get ready in time')),
        READY_TIMEOUT_MS,
      );
      let seen = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`a worker process exited before it was ready (${signal ?? code})`));
      });
    }).catch(async (error: unknown) => {
      await this.#end(child, 'SIGKILL');
      throw error;
    });
  }

  async #end(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  }
}
