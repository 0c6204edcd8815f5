import { DistributedWorker, type Backend, type DistributedWorkerOptions } from '@floxide/distributed';
import { PostgresBackend } from '@floxide/postgres';
import { RedisBackend } from '@floxide/redis';
import type { FleetWorkerMessage } from './process-fleet.js';

/** Where a worker process finds its store (a {@link ProcessFleet} member's configuration carries it). */
export interface StoreLocation {
  readonly backend: 'redis' | 'postgres';
  readonly url: string;
  /** The Redis prefix or Postgres schema of the store. */
  readonly namespace: string;
}

/** What one worker entry decides: its Postgres pool, the worker's options, how it closes. */
export interface WorkerProcessPlan {
  readonly poolSize: number;
  readonly worker: Omit<DistributedWorkerOptions, 'backend'>;
  readonly graceMs: number;
  /** Send the process's RSS to the parent every 200 ms. */
  readonly reportRss: boolean;
}

function send(message: FleetWorkerMessage): void {
  process.send?.(message);
}

/**
 * The life of a {@link ProcessFleet} worker process: reads its JSON configuration from `configVar`, opens
 * the store, serves with the worker `plan` gives until the parent says stop (or goes away), then closes.
 * A failure is reported to the parent and sets a non-zero exit code.
 */
export function serveWorkerProcess<C extends StoreLocation>(
  configVar: string,
  plan: (config: C) => WorkerProcessPlan,
): void {
  const main = async (): Promise<void> => {
    const raw = process.env[configVar];
    if (!raw) throw new Error(`${configVar} is not set`);
    const config = JSON.parse(raw) as C;
    const { poolSize, worker: options, graceMs, reportRss } = plan(config);
    const backend: Backend =
      config.backend === 'redis'
        ? new RedisBackend({ connection: config.url, prefix: config.namespace })
        : new PostgresBackend({
            connectionString: config.url,
            schema: config.namespace,
            poolSize,
            autoMigrate: false,
          });
    const worker = new DistributedWorker({ ...options, backend });
    await worker.start();
    const timer = reportRss
      ? setInterval(() => send({ type: 'rss', rss: process.memoryUsage.rss() }), 200)
      : undefined;
    send({ type: 'ready' });
    await new Promise<void>((resolve) => {
      process.on('message', (m: { type?: string }) => m.type === 'stop' && resolve());
      process.on('disconnect', () => resolve());
    });
    clearInterval(timer);
    await worker.close({ graceMs });
    await backend.close();
    process.disconnect?.();
  };
  main().catch((error: unknown) => {
    send({
      type: 'failed',
      message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    process.exitCode = 1;
    process.disconnect?.();
  });
}
