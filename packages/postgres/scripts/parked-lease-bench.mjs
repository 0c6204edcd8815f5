// Lease latency with and without a large parked backlog (issue 11 §3), on the built package.
//
//   pnpm nx build @floxide/postgres && node packages/postgres/scripts/parked-lease-bench.mjs [parked=50000]
//
// For each of "0001 only" (the schema before migration 0002) and "latest": a fresh schema, a run whose
// start step committed `parked` successors and then failed (its queued items are kept for retryFailed),
// then 400 single-item lease+commit calls on another run's 2,000 ready items; prints the lease median and
// p90, next to the same figures with no failed run. Reported, never asserted.
import { randomBytes } from 'node:crypto';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { FloxideMigrationProvider, PostgresBackend } from '../dist/index.js';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const parked = Number(process.argv[2] ?? 50_000);
const SAMPLES = 400;

const item = (runId, itemId, input = null) => ({
  itemId,
  runId,
  workflow: 'bench',
  version: 1,
  node: 'step',
  input,
  attempt: 1,
  branches: [],
});
const run = (runId) => ({
  runId,
  workflow: 'bench',
  version: 1,
  input: null,
  context: null,
  startItem: item(runId, `${runId}:start`),
  createdAt: Date.now(),
});
const advance = (successors) => ({
  kind: 'advance',
  transition: 'nextAll',
  successors,
  joins: [],
  contextOps: [],
  durationMs: 1,
});

async function migrate(schema, onlyFirst) {
  const db = new Kysely({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
  });
  await sql.raw(`create schema "${schema}"`).execute(db);
  const migrator = new Migrator({
    db: db.withSchema(schema),
    provider: new FloxideMigrationProvider(schema),
    migrationTableSchema: schema,
    migrationTableName: 'floxide_migrations',
    migrationLockTableName: 'floxide_migrations_lock',
  });
  const result = onlyFirst ? await migrator.migrateTo('0001_initial') : await migrator.migrateToLatest();
  if (result.error) throw result.error;
  await db.destroy();
}

async function leaseFirst(backend) {
  for (;;) {
    const [lease] = await backend.queue.lease({ workerId: 'bench', leaseMs: 60_000, max: 1 });
    if (lease) return lease;
  }
}

async function measure(label, onlyFirst, withParked) {
  const schema = `floxide_bench_${randomBytes(4).toString('hex')}`;
  await migrate(schema, onlyFirst);
  const backend = new PostgresBackend({ connectionString: url, schema, autoMigrate: false, poolSize: 2 });
  try {
    if (withParked) {
      await backend.startRun(run('failed'));
      const start = await leaseFirst(backend);
      const successors = Array.from({ length: parked }, (_, i) => item('failed', `failed:s${i}`, i));
      await backend.commit({ lease: start, outcome: advance(successors), at: Date.now() });
      const victim = await leaseFirst(backend);
      await backend.commit({
        lease: victim,
        outcome: {
          kind: 'failed',
          error: { name: 'E', code: 'NODE_FAILED', message: 'x' },
          fallback: [],
          durationMs: 1,
        },
        at: Date.now(),
      });
      await sql.raw(`analyze "${schema}".work_items`).execute(
        new Kysely({
          dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
        }),
      );
    }
    await backend.startRun(run('live'));
    const start = await leaseFirst(backend);
    await backend.commit({
      lease: start,
      outcome: advance(Array.from({ length: 2_000 }, (_, i) => item('live', `live:s${i}`, i))),
      at: Date.now(),
    });
    const times = [];
    for (let i = 0; i < SAMPLES; i += 1) {
      const t0 = performance.now();
      const [lease] = await backend.queue.lease({ workerId: 'bench', leaseMs: 60_000, max: 1 });
      times.push(performance.now() - t0);
      if (!lease) throw new Error('no lease');
      await backend.commit({ lease, outcome: advance([]), at: Date.now() });
    }
    times.sort((a, b) => a - b);
    const q = (p) => times[Math.floor(p * (times.length - 1))].toFixed(2);
    console.log(`${label.padEnd(34)} lease median ${q(0.5)} ms  p90 ${q(0.9)} ms`);
  } finally {
    if (!process.env.KEEP) await backend.destroyAllData();
    else console.log(`kept schema ${schema}`);
    await backend.close();
  }
}

if (!process.env.ONLY) await measure('0001 only, no failed run', true, false);
if (!process.env.ONLY) await measure(`0001 only, ${parked} left by a failed run`, true, true);
if (!process.env.ONLY) await measure('latest, no failed run', false, false);
if (!process.env.ONLY) await measure(`latest, ${parked} parked`, false, true);
if (process.env.ONLY) await measure('latest parked', false, true);
