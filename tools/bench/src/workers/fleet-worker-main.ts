// Entry point of a P14 worker process: one DistributedWorker serving one of the fleet chains on a Redis
// prefix or Postgres schema, until told to stop.
import { DistributedWorker, type Backend } from '@floxide/distributed';
import { PostgresBackend } from '@floxide/postgres';
import { RedisBackend } from '@floxide/redis';
import { fleetChain } from '../floxide/fleet-chain.js';
import type { FleetWorkerMessage } from './process-fleet.js';

/** Configuration of a P14 worker process (`BENCH_FLEET_CONFIG`). */
export interface FleetWorkerConfig {
  readonly backend: 'redis' | 'postgres';
  readonly url: string;
  /** The Redis prefix or Postgres schema of the store. */
  readonly namespace: string;
  /** The chain this worker registers (and so the only one it leases). */
  readonly workflow: string;
  readonly concurrency: number;
}

function send(message: FleetWorkerMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const raw = process.env['BENCH_FLEET_CONFIG'];
  if (!raw) throw new Error('BENCH_FLEET_CONFIG is not set');
  const config = JSON.parse(raw) as FleetWorkerConfig;
  const backend: Backend =
    config.backend === 'redis'
      ? new RedisBackend({ connection: config.url, prefix: config.namespace })
      : new PostgresBackend({
          connectionString: config.url,
          schema: config.namespace,
          poolSize: config.concurrency,
          autoMigrate: false,
        });
  const worker = new DistributedWorker({
    backend,
    workflows: [fleetChain(config.workflow)],
    concurrency: config.concurrency,
    idleWaitMs: 200,
  });
  await worker.start();
  send({ type: 'ready' });
  await new Promise<void>((resolve) => {
    process.on('message', (m: { type?: string }) => m.type === 'stop' && resolve());
    process.on('disconnect', () => resolve());
  });
  await worker.close({ graceMs: 0 });
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
