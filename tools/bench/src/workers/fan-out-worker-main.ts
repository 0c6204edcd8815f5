// Entry point of a P10 worker process: a DistributedWorker for the fan-out and chain workflows on one
// backend, reporting its RSS to the parent over IPC until told to stop.
import { DistributedWorker, type Backend } from '@floxide/distributed';
import { PostgresBackend } from '@floxide/postgres';
import { RedisBackend } from '@floxide/redis';
import { floxideChain, floxideFanOut } from '../floxide/local-workflows.js';
import type { FleetWorkerMessage } from './process-fleet.js';

/** Configuration of a P10 worker process (`BENCH_FANOUT_CONFIG`). */
export interface FanOutWorkerConfig {
  readonly backend: 'redis' | 'postgres';
  readonly url: string;
  readonly namespace: string;
  readonly concurrency: number;
}

function send(message: FleetWorkerMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const raw = process.env['BENCH_FANOUT_CONFIG'];
  if (!raw) throw new Error('BENCH_FANOUT_CONFIG is not set');
  const config = JSON.parse(raw) as FanOutWorkerConfig;
  const backend: Backend =
    config.backend === 'redis'
      ? new RedisBackend({ connection: config.url, prefix: config.namespace })
      : new PostgresBackend({
          connectionString: config.url,
          schema: config.namespace,
          poolSize: config.concurrency + 4,
          autoMigrate: false,
        });
  const worker = new DistributedWorker({
    backend,
    workflows: [floxideFanOut(), floxideChain(5)],
    concurrency: config.concurrency,
  });
  await worker.start();
  const timer = setInterval(() => send({ type: 'rss', rss: process.memoryUsage.rss() }), 200);
  send({ type: 'ready' });
  await new Promise<void>((resolve) => {
    process.on('message', (m: { type?: string }) => m.type === 'stop' && resolve());
    process.on('disconnect', () => resolve());
  });
  clearInterval(timer);
  await worker.close({ graceMs: 2_000 });
  await backend.close();
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
