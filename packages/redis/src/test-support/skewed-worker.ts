// A worker process whose whole clock (Date.now, BullMQ's included) is off by FLOXIDE_CLOCK_SKEW_MS, as on a
// machine with a wrong clock. Env: REDIS_URL, FLOXIDE_PREFIX, FLOXIDE_CLOCK_SKEW_MS. Prints "ready".
import { DistributedWorker } from '@floxide/distributed';
import { RedisBackend } from '../redis-backend.js';
import { skewWorkflow } from './skew-workflow.js';

const skew = Number(process.env['FLOXIDE_CLOCK_SKEW_MS'] ?? 0);
const realNow = Date.now.bind(Date);
Date.now = () => realNow() + skew;

const backend = new RedisBackend({
  connection: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  prefix: process.env['FLOXIDE_PREFIX'] ?? 'fxt-skew',
  stalledIntervalMs: 200,
  sweepIntervalMs: 500,
});
const worker = new DistributedWorker({
  backend,
  workflows: [skewWorkflow()],
  concurrency: 2,
  idleWaitMs: 100,
});
await worker.start();
process.stdout.write('ready\n');

process.on('SIGTERM', () => {
  void worker
    .close({ graceMs: 1_000 })
    .then(() => backend.close())
    .finally(() => process.exit(0));
});
