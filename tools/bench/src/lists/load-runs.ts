import type { Backend, Lease, NewRun } from '@floxide/distributed';
import type { MemoryBackend } from '@floxide/distributed';
import type { PostgresBackend } from '@floxide/postgres';
import { shardOf, type RedisBackend } from '@floxide/redis';
import type { Redis } from 'ioredis';
import pg from 'pg';
import type { SyntheticRun } from './synthetic-runs.js';

const FAILED = JSON.stringify({ name: 'NodeError', code: 'NODE_FAILED', message: 'boom' });
const CANCELLED = JSON.stringify({ name: 'CancelledError', code: 'CANCELLED', message: 'cancelled' });
const OUTPUT = '{"ok":true}';

function newRun(r: SyntheticRun): NewRun {
  return {
    runId: r.runId,
    workflow: r.workflow,
    version: 1,
    input: null,
    context: {},
    createdAt: r.createdAt,
    startItem: {
      itemId: `${r.runId}:start`,
      runId: r.runId,
      workflow: r.workflow,
      version: 1,
      node: 'start',
      input: null,
      attempt: 1,
      branches: [],
    },
  };
}

/**
 * Memory: every run through the backend's own operations — `startRun`, then a lease and a commit
 * (terminal output, or a failure) or a control call to reach its status. Runs that stay queued are
 * started last, after every other start item was leased.
 */
export async function loadMemory(backend: MemoryBackend, runs: readonly SyntheticRun[]): Promise<void> {
  const target = new Map<string, SyntheticRun>();
  for (const r of runs) if (r.status !== 'queued') target.set(r.runId, r);
  for (const r of runs) if (r.status !== 'queued') await backend.startRun(newRun(r));
  for (;;) {
    const leases: Lease[] = await backend.queue.lease({ workerId: 'bench', leaseMs: 3_600_000, max: 1_000 });
    if (leases.length === 0) break;
    for (const lease of leases) await settle(backend, lease, target.get(lease.item.runId) as SyntheticRun);
  }
  for (const r of runs) if (r.status === 'queued') await backend.startRun(newRun(r));
}

async function settle(backend: Backend, lease: Lease, r: SyntheticRun): Promise<void> {
  const base = { joins: [], contextOps: [], successors: [], durationMs: 1 } as const;
  switch (r.status) {
    case 'completed':
      await backend.commit({
        lease,
        at: r.createdAt,
        outcome: { kind: 'advance', transition: 'next', ...base, output: { value: { ok: true } } },
      });
      return;
    case 'failed':
      await backend.commit({
        lease,
        at: r.createdAt,
        outcome: { kind: 'failed', error: JSON.parse(FAILED), fallback: [], durationMs: 1 },
      });
      return;
    case 'cancelled':
      await backend.control(r.runId, 'cancel');
      return;
    case 'paused':
      await backend.control(r.runId, 'pause');
      return;
    default:
      return; // running: leased, left running
  }
}

/** The run hash fields a run of this status has after start-run and its status changes (lists read these). */
function runHashFields(r: SyntheticRun): string[] {
  const fields = [
    'runId',
    r.runId,
    'workflow',
    r.workflow,
    'version',
    '1',
    'status',
    r.status,
    'input',
    'null',
  ];
  fields.push('createdAt', String(r.createdAt), 'seq', '1', 'gen', '0');
  if (r.status !== 'queued') fields.push('startedAt', String(r.createdAt + 5));
  if (r.status === 'completed') fields.push('output', OUTPUT, 'finishedAt', String(r.createdAt + 50));
  if (r.status === 'failed') fields.push('error', FAILED, 'finishedAt', String(r.createdAt + 50));
  if (r.status === 'cancelled') fields.push('error', CANCELLED, 'finishedAt', String(r.createdAt + 50));
  return fields;
}

/**
 * Redis: run hashes and the all-runs index written in pipelines (what start-run's pipeline and script
 * leave for a run, without the queue bookkeeping no list reads), then `rebuildRunIndexes()` files every
 * run in the list indexes through the same Lua function the scripts call on a status change.
 */
export async function loadRedis(
  backend: RedisBackend,
  client: Redis,
  runs: readonly SyntheticRun[],
): Promise<{ hashesMs: number; indexesMs: number }> {
  const started = performance.now();
  for (let first = 0; first < runs.length; first += 5_000) {
    const pipeline = client.pipeline();
    for (const r of runs.slice(first, first + 5_000)) {
      pipeline.hset(backend.keys.run(r.runId, 'run'), ...runHashFields(r));
      pipeline.zadd(
        backend.keys.runs(shardOf(r.runId)),
        0,
        `${String(r.createdAt).padStart(16, '0')}:${r.runId}`,
      );
    }
    const results = (await pipeline.exec()) ?? [];
    for (const [error] of results) if (error) throw error;
  }
  const hashesMs = performance.now() - started;
  const indexed = await backend.rebuildRunIndexes();
  if (indexed !== runs.length) throw new Error(`rebuildRunIndexes indexed ${indexed} of ${runs.length} runs`);
  return { hashesMs, indexesMs: performance.now() - started - hashesMs };
}

/** PostgreSQL: rows of the backend's `runs` table inserted in batches (its indexes are the database's). */
export async function loadPostgres(
  backend: PostgresBackend,
  url: string,
  schema: string,
  runs: readonly SyntheticRun[],
): Promise<void> {
  await backend.migrate();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (let first = 0; first < runs.length; first += 10_000) {
      const batch = runs.slice(first, first + 10_000);
      const finished = (r: SyntheticRun): boolean => ['completed', 'failed', 'cancelled'].includes(r.status);
      await client.query(
        `insert into "${schema}".runs (run_id, workflow, version, status, input, output, error, created_at,
           started_at, finished_at, context, has_context)
         select id, wf, 1, st, 'null'::jsonb, out::jsonb, err::jsonb, c, s, f, '{}'::jsonb, true
         from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[],
           $8::bigint[]) as t(id, wf, st, out, err, c, s, f)`,
        [
          batch.map((r) => r.runId),
          batch.map((r) => r.workflow),
          batch.map((r) => r.status),
          batch.map((r) => (r.status === 'completed' ? OUTPUT : null)),
          batch.map((r) => (r.status === 'failed' ? FAILED : r.status === 'cancelled' ? CANCELLED : null)),
          batch.map((r) => r.createdAt),
          batch.map((r) => (r.status === 'queued' ? null : r.createdAt + 5)),
          batch.map((r) => (finished(r) ? r.createdAt + 50 : null)),
        ],
      );
    }
    await client.query(`analyze "${schema}".runs`);
  } finally {
    await client.end();
  }
}
