/**
 * A worker process of the crash test: `node --conditions=@floxide/source --import tsx crash-worker.ts`
 * with `FLOXIDE_SCHEMA` (and optionally `DATABASE_URL`, and `FLOXIDE_TRANSACTION_POOLER=1` when that URL
 * is a transaction-mode PgBouncer) set. Runs until SIGTERM (graceful) or SIGKILL.
 */
import { CHILD_CRASH_CHECK_MS, childCrashWorkflows } from '@floxide/conformance/crash';
import { DistributedWorker } from '@floxide/distributed';
import { PostgresBackend } from '../postgres-backend.js';
import { crashWorkflow, limitedWorkflow, signalCrashWorkflow, timerCrashWorkflow } from './crash-workflow.js';

const schema = process.env['FLOXIDE_SCHEMA'];
if (!schema) throw new Error('FLOXIDE_SCHEMA is required');

const backend = new PostgresBackend({
  connectionString: process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test',
  schema,
  autoMigrate: false,
  poolSize: 6,
  transactionPooler: process.env['FLOXIDE_TRANSACTION_POOLER'] === '1',
});
const worker = new DistributedWorker({
  backend,
  workflows: [
    crashWorkflow(),
    timerCrashWorkflow(),
    limitedWorkflow(),
    signalCrashWorkflow(),
    childCrashWorkflows().parent,
  ],
  childCheckMs: CHILD_CRASH_CHECK_MS,
  concurrency: 4,
  leaseMs: 1_500,
  heartbeatMs: 300,
  idleWaitMs: 1_000,
});

process.on('SIGTERM', () => {
  void worker
    .close({ graceMs: 2_000 })
    .then(() => backend.close())
    .then(() => process.exit(0));
});

await worker.start();
process.stdout.write('ready\n');
