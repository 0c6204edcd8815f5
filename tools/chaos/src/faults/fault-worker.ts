// A worker process of the fault cases: `node --conditions=@floxide/source --import tsx fault-worker.ts`.
// Env: CHAOS_BACKEND (redis | postgres), CHAOS_URL, CHAOS_NAMESPACE; optional CHAOS_CLOCK_SKEW_MS (the
// whole process clock is off by that much, BullMQ's and pg's included, as on a machine with a wrong clock)
// CHAOS_CONCURRENCY and CHAOS_LEASE_MS. Prints "ready" once leasing; runs until SIGKILL, or closes on SIGTERM.
import { DistributedWorker } from '@floxide/distributed';
import { openBackend, type FaultBackendName } from './fault-target.js';
import { faultWorkflows } from './fault-workflows.js';

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
}

const skew = Number(process.env['CHAOS_CLOCK_SKEW_MS'] ?? 0);
if (skew !== 0) {
  const realNow = Date.now.bind(Date);
  Date.now = () => realNow() + skew;
}

const backend = openBackend(
  {
    name: env('CHAOS_BACKEND') as FaultBackendName,
    url: env('CHAOS_URL'),
    namespace: env('CHAOS_NAMESPACE'),
    env: {},
  },
  'worker',
);
const worker = new DistributedWorker({
  backend,
  workflows: faultWorkflows(),
  concurrency: Number(process.env['CHAOS_CONCURRENCY'] ?? 8),
  // A killed worker's leases expire within 1.5 s, so the storm's items come back quickly (CHAOS_LEASE_MS:
  // longer for a long busy case on a loaded machine, where a starved event loop would let 1.5 s lapse).
  leaseMs: Number(process.env['CHAOS_LEASE_MS'] ?? 1_500),
  heartbeatMs: 300,
  idleWaitMs: 500,
});

process.on('SIGTERM', () => {
  void worker
    .close({ graceMs: 1_000 })
    .then(() => backend.close())
    .finally(() => process.exit(0));
});

await worker.start();
process.stdout.write('ready\n');
