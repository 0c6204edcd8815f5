import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/** Options of {@link WorkerFleet.chaos}. */
export interface ChaosOptions {
  /** How long to keep killing (ms). */
  readonly chaosMs: number;
  /** Mean pause between two kills (ms; each pause is 0.5–1.5 times this). */
  readonly killEveryMs: number;
}

/**
 * Worker processes of a crash test: started by the backend package's `spawn` (its worker script and
 * environment), SIGKILLed at random and replaced, so the fleet keeps its size.
 */
export class WorkerFleet {
  readonly #children = new Set<ChildProcess>();

  constructor(
    private readonly spawn: () => ChildProcess,
    private readonly size: number,
  ) {}

  /** Starts processes until `size` are alive. */
  fill(): void {
    while (this.#alive().length < this.size) {
      const child = this.spawn();
      this.#children.add(child);
      child.once('exit', () => this.#children.delete(child));
    }
  }

  /** Kills a random worker every ~`killEveryMs` for `chaosMs`, replacing each at once; returns the kills. */
  async chaos(options: ChaosOptions): Promise<number> {
    let kills = 0;
    const end = Date.now() + options.chaosMs;
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, options.killEveryMs * (0.5 + Math.random())));
      const alive = this.#alive();
      const victim = alive[Math.floor(Math.random() * alive.length)];
      if (victim) {
        victim.kill('SIGKILL');
        kills += 1;
      }
      this.fill();
    }
    return kills;
  }

  /** SIGKILLs every worker and waits for them to exit. */
  async killAll(): Promise<void> {
    await Promise.all(
      [...this.#children].map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }),
    );
  }

  #alive(): ChildProcess[] {
    return [...this.#children].filter((c) => c.exitCode === null && c.signalCode === null && !c.killed);
  }
}
