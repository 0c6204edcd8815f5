// A worker process for the crash test: runs until SIGKILLed (or closes on SIGTERM).
// Env: REDIS_URL (or FLOXIDE_REDIS_CLUSTER), FLOXIDE_PREFIX. Prints "ready" once leasing.
import { CHILD_CRASH_CHECK_MS, childCrashWorkflows } from '@floxide/conformance/crash';
import { DistributedWorker } from '@floxide/distributed';
import { openTestBackend } from './redis-test-backend.js';
import { crashWorkflow, limitedWorkflow, signalCrashWorkflow, timerCrashWorkflow } from './crash-workflow.js';

const backend = openTestBackend({
  prefix: process.env['FLOXIDE_PREFIX'] ?? 'fxt-crash',
  stalledIntervalMs: 200,
  sweepIntervalMs: 1_000,
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
  concurrency: 8,
  leaseMs: 1_000,
  heartbeatMs: 250,
  idleWaitMs: 200,
});

await worker.start();
process.stdout.write('ready\n');

process.on('SIGTERM', () => {
  void worker
    .close({ graceMs: 1_000 })
    .then(() => backend.close())
    .finally(() => process.exit(0));
});
