import { DistributedWorker } from '@floxide/distributed';
import { createDemoBackend } from './demo-backend.js';
import { WORKER_CONFIG_ENV, type DemoWorkerConfig } from './demo-worker-config.js';
import { createPipelineWorkflow } from './pipeline-workflow.js';

/**
 * Entry of one demo worker process: serves the pipeline until SIGTERM (graceful) or SIGKILL (the demo's
 * crash injection: its leases expire and other workers take the items over).
 */
async function main(): Promise<void> {
  const raw = process.env[WORKER_CONFIG_ENV];
  if (raw === undefined) throw new Error(`${WORKER_CONFIG_ENV} is not set`);
  const config = JSON.parse(raw) as DemoWorkerConfig;
  const backend = await createDemoBackend(config.backend);
  const worker = new DistributedWorker({
    backend,
    workflows: [createPipelineWorkflow(config.pipeline)],
    concurrency: config.concurrency,
    leaseMs: config.leaseMs,
    heartbeatMs: config.heartbeatMs,
    idleWaitMs: 200,
  });
  await worker.start();
  process.stdout.write(`ready ${worker.id}\n`);
  const stop = (): void => {
    void worker
      .close({ graceMs: 2_000 })
      .then(() => backend.close())
      .then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`demo worker failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
