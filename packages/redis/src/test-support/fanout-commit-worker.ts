// A process that leases a run's start item and commits a wide fan-out of it, then idles until SIGKILLed
// (the wide fan-out test kills it between materialisation batches).
// Env: REDIS_URL, FLOXIDE_PREFIX, FANOUT_RUN, FANOUT_BRANCHES. Prints "committing" before the commit.
import type { Lease } from '@floxide/distributed';
import { RedisBackend } from '../redis-backend.js';
import { fanOutCommit } from './fanout-items.js';

const backend = new RedisBackend({
  connection: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  prefix: process.env['FLOXIDE_PREFIX'] ?? 'fxt-fanout',
  sweepIntervalMs: 0,
  fanoutBatch: 100,
  fanoutLeaseMs: 1_000,
});
const runId = process.env['FANOUT_RUN'] ?? 'wide';
const branches = Number(process.env['FANOUT_BRANCHES'] ?? '20000');
const [lease] = await backend.queue.lease({ workerId: 'doomed', leaseMs: 60_000, waitMs: 10_000 });
process.stdout.write('committing\n');
await backend.commit(fanOutCommit(lease as Lease, runId, branches));
process.stdout.write('committed\n');
await new Promise(() => undefined);
