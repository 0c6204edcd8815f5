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

/** Runs per pipeline of the Redis load: 10,000 run hashes plus one multi-member ZADD per index key. */
const REDIS_BATCH = 10_000;
/** Up to this size, the load is checked against `rebuildRunIndexes()` (the scripts' own Lua function). */
const REDIS_CROSS_CHECK_MAX = 20_000;

/** Every list index entry of these runs (what the scripts' `indexRun` files), grouped by key. */
function indexEntries(backend: RedisBackend, runs: readonly SyntheticRun[]): Map<string, string[]> {
  const byKey = new Map<string, string[]>();
  const add = (key: string, member: string): void => {
    const members = byKey.get(key);
    if (members === undefined) byKey.set(key, [member]);
    else members.push(member);
  };
  const keys = backend.keys;
  for (const r of runs) {
    const shard = shardOf(r.runId);
    const member = `${String(r.createdAt).padStart(16, '0')}:${r.runId}`;
    add(keys.runs(shard), member);
    add(keys.runsByWorkflow(r.workflow, shard), member);
    add(keys.runIds(shard), r.runId);
    add(keys.runsByStatus(r.status, shard), member);
    add(keys.runsByWorkflowStatus(r.workflow, r.status, shard), member);
  }
  return byKey;
}

/** The size of every list index (key → ZCARD), for the cross-check. */
async function indexSizes(client: Redis, keys: readonly string[]): Promise<Map<string, number>> {
  const pipeline = client.pipeline();
  for (const key of keys) pipeline.zcard(key);
  const results = (await pipeline.exec()) ?? [];
  return new Map(keys.map((key, i) => [key, Number(results[i]?.[1])]));
}

/**
 * Redis: run hashes (what start-run and the status changes leave in them; the queue bookkeeping no list
 * reads is not written) and the list index entries, in pipelines of {@link REDIS_BATCH} runs with one
 * multi-member ZADD per index key — a million runs in a couple of minutes, where one `rebuildRunIndexes()`
 * script call per run (about 20 commands each) took 16 minutes on a loaded machine. At small sizes (the
 * smoke run) the entries are then checked against `rebuildRunIndexes()`, the Lua function the scripts call
 * on a status change: it must find every run and add nothing.
 */
export async function loadRedis(
  backend: RedisBackend,
  client: Redis,
  runs: readonly SyntheticRun[],
): Promise<{ hashesMs: number; indexesMs: number }> {
  const started = performance.now();
  let indexesMs = 0;
  const indexKeys = new Set<string>();
  for (let first = 0; first < runs.length; first += REDIS_BATCH) {
    const batch = runs.slice(first, first + REDIS_BATCH);
    const pipeline = client.pipeline();
    for (const r of batch) pipeline.hset(backend.keys.run(r.runId, 'run'), ...runHashFields(r));
    const indexing = performance.now();
    for (const [key, members] of indexEntries(backend, batch)) {
      indexKeys.add(key);
      pipeline.zadd(key, ...members.flatMap((m) => ['0', m]));
    }
    indexesMs += performance.now() - indexing;
    const results = (await pipeline.exec()) ?? [];
    for (const [error] of results) if (error) throw error;
  }
  const hashesMs = performance.now() - started - indexesMs;
  if (runs.length <= REDIS_CROSS_CHECK_MAX) {
    // Every list index key there is (KEYS: a few thousand keys at this size), so an index the loader
    // missed shows up too.
    const all = await client.keys(backend.keys.pattern);
    const keys = [...new Set([...indexKeys, ...all.filter((k) => /:runs(:|$)/.test(k))])];
    const before = await indexSizes(client, keys);
    const indexed = await backend.rebuildRunIndexes();
    if (indexed !== runs.length)
      throw new Error(`rebuildRunIndexes indexed ${indexed} of ${runs.length} runs`);
    const after = await indexSizes(client, keys);
    for (const key of keys) {
      if (after.get(key) !== before.get(key))
        throw new Error(`rebuildRunIndexes changed ${key}: ${before.get(key)} → ${after.get(key)} entries`);
    }
  }
  return { hashesMs, indexesMs };
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
