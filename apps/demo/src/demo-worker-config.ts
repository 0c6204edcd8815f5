import type { DemoBackendConfig } from './demo-backend.js';
import type { PipelineOptions } from './pipeline-workflow.js';

/** What the demo hands each worker process (as JSON in the {@link WORKER_CONFIG_ENV} environment variable). */
export interface DemoWorkerConfig {
  readonly backend: DemoBackendConfig;
  readonly pipeline: PipelineOptions;
  readonly concurrency: number;
  readonly leaseMs: number;
  readonly heartbeatMs: number;
}

/** Name of the environment variable carrying the {@link DemoWorkerConfig} (env, not argv: URLs may hold passwords). */
export const WORKER_CONFIG_ENV = 'FLOXIDE_DEMO_WORKER';
