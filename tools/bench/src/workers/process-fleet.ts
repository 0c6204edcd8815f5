import { fork, type ChildProcess } from 'node:child_process';

/** What a fleet worker entry sends its parent: ready to serve, its RSS now and then, or why it failed. */
export type FleetWorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'rss'; readonly rss: number }
  | { readonly type: 'failed'; readonly message: string };

/**
 * Worker processes of one entry (`node --conditions=@floxide/source --import tsx <entry>`), each given its
 * JSON configuration in the environment variable `configVar`, and the peak RSS any of them reported.
 *
 * @remarks
 * Separate processes, as a deployment runs its workers: each has its own event loop and its own
 * connections to the store, so a scenario measures the backend and not one process shared by all.
 */
export class ProcessFleet {
  readonly #children: ChildProcess[] = [];
  #peak = 0;
  /** Resolves once every process reported `ready`; rejects if one fails or exits first. */
  readonly ready: Promise<void>;

  constructor(entry: string, configVar: string, configs: readonly unknown[]) {
    const readies: Promise<void>[] = [];
    for (const config of configs) {
      const child = fork(entry, [], {
        execArgv: ['--conditions=@floxide/source', '--import', 'tsx'],
        env: { ...process.env, [configVar]: JSON.stringify(config) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      this.#children.push(child);
      readies.push(
        new Promise<void>((resolve, reject) => {
          child.on('message', (m: FleetWorkerMessage) => {
            if (m.type === 'ready') resolve();
            else if (m.type === 'rss') this.#peak = Math.max(this.#peak, m.rss);
            else reject(new Error(`worker failed: ${m.message}`));
          });
          child.once('exit', (code) => reject(new Error(`worker exited (${code ?? 'signal'}) before ready`)));
        }),
      );
    }
    this.ready = Promise.all(readies).then(() => undefined);
    // A caller that stops the fleet after a failure must not also see an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  /** Peak RSS (bytes) of any worker since the last call; starts a new window. */
  takePeak(): number {
    const peak = this.#peak;
    this.#peak = 0;
    return peak;
  }

  /** Asks every process to stop (SIGKILL after 15 s) and waits until all have exited. */
  async stop(): Promise<void> {
    await Promise.all(
      this.#children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            if (child.connected) child.send({ type: 'stop' });
            else child.kill('SIGTERM');
          }),
      ),
    );
  }
}
