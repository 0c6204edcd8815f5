import pg from 'pg';
import PgBoss from 'pg-boss';
import type { FanJoinContender } from '../workers/fan-join-contender.js';
import { queryOnce, quoteIdent, requireDatabaseUrl } from './postgres-peer-helpers.js';

/** Job payload: which run, and which branch (absent on the join). */
interface FanJoinData {
  readonly run: number;
  readonly i?: number;
}

const QUEUE = 'fanjoin';

/** pg-boss's `db` option: run its statements on our transaction's client. */
function onClient(client: pg.PoolClient): PgBoss.Db {
  return { executeSql: (text, values) => client.query(text, values) };
}

/** Runs `body` in a transaction on a pool client; rolls back when it throws or returns `false`. */
async function inTransaction(
  pool: pg.Pool,
  body: (client: pg.PoolClient) => Promise<boolean>,
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    if (await body(client)) await client.query('COMMIT');
    else await client.query('ROLLBACK');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * pg-boss with a hand-written join: a counter row per run, decremented by each branch in the same
 * transaction that completes the branch's job; the branch that brings it to zero sends the join job in
 * that transaction too.
 *
 * @remarks
 * pg-boss has no flows, so this is what a pg-boss user writes for "run once every branch is done" and
 * still gets each branch counted once: the completion (`complete(…, { db })`, which only moves an active
 * job) and the decrement commit together, so a branch that runs again after its job expired cannot
 * decrement twice. Starting a run inserts its counter row and its branch jobs in one transaction. The
 * join completes its job and deletes the counter row in one transaction, and counts the branches it saw
 * from the row. One queue for branches and joins
 * (one `work()` registration fetching `concurrency` jobs per poll, as in the pg-boss chain), and the
 * handler calls `notifyWorker` on its own worker so it fetches again without sleeping out the polling
 * interval.
 */
export const pgBossFanJoin: FanJoinContender = {
  id: 'pgboss',
  label: 'pg-boss (counter-row join)',
  fanStep: false,
  async open(env) {
    const connectionString = requireDatabaseUrl(env);
    const schema = quoteIdent(env.namespace);
    const boss = new PgBoss({ connectionString, schema: env.namespace, supervise: false, schedule: false });
    boss.on('error', (error: Error) => process.stderr.write(`[pg-boss] ${error.message}\n`));
    await boss.start();
    await boss.createQueue(QUEUE);
    await queryOnce(
      connectionString,
      `CREATE TABLE ${schema}.fan_join_runs (run integer PRIMARY KEY, remaining integer NOT NULL)`,
    );
    const pool = new pg.Pool({ connectionString, max: 2 });
    return {
      async enqueueRuns(first, count) {
        const runs = Array.from({ length: count }, (_, k) => first + k);
        await inTransaction(pool, async (client) => {
          await client.query(
            `INSERT INTO ${schema}.fan_join_runs (run, remaining) SELECT r, $2 FROM unnest($1::int[]) AS r`,
            [runs, env.width],
          );
          await boss.insert(
            runs.flatMap((run) =>
              Array.from({ length: env.width }, (_, i) => ({ name: QUEUE, data: { run, i } })),
            ),
            { db: onClient(client) },
          );
          return true;
        });
      },
      async verify(runs) {
        const problems: string[] = [];
        const states = await queryOnce<{ state: string; kind: string; n: string }>(
          connectionString,
          `SELECT state, CASE WHEN data ? 'i' THEN 'branch' ELSE 'join' END AS kind, count(*) AS n
             FROM ${schema}.job WHERE name = $1 GROUP BY 1, 2`,
          [QUEUE],
        );
        for (const r of states.filter((s) => s.state !== 'completed'))
          problems.push(`${r.n} ${r.kind} job(s) left in state ${r.state}`);
        const joins = Number(states.find((s) => s.state === 'completed' && s.kind === 'join')?.n ?? 0);
        if (joins !== runs) problems.push(`${joins} join job(s) completed, expected ${runs}`);
        const left = await queryOnce<{ n: string }>(
          connectionString,
          `SELECT count(*) AS n FROM ${schema}.fan_join_runs`,
        );
        const rows = Number(left[0]?.n ?? 0);
        if (rows > 0) problems.push(`${rows} counter row(s) left (a join that never ran)`);
        return problems;
      },
      async destroy() {
        await pool.end();
        await boss.stop({ graceful: false, wait: true });
        await queryOnce(connectionString, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      },
    };
  },
  async startWorker(env, probe) {
    const connectionString = requireDatabaseUrl(env);
    const schema = quoteIdent(env.namespace);
    const boss = new PgBoss({
      connectionString,
      schema: env.namespace,
      supervise: false,
      schedule: false,
      migrate: false,
      max: 4,
    });
    boss.on('error', (error: Error) => process.stderr.write(`[pg-boss] ${error.message}\n`));
    await boss.start();
    // The handlers' own transactions: one client per job running at once.
    const pool = new pg.Pool({ connectionString, max: env.concurrency });
    const branch = (job: PgBoss.Job<FanJoinData>, i: number): Promise<void> =>
      inTransaction(pool, async (client) => {
        const { run } = job.data;
        probe.begin(run, i);
        probe.end(run, i);
        const db = onClient(client);
        // Only an active job completes: a branch whose job expired and ran elsewhere counts nothing here.
        const done = (await boss.complete(QUEUE, job.id, { run, i }, { db })) as unknown as {
          affected: number;
        };
        if (done.affected !== 1) return false;
        const left = await client.query<{ remaining: number }>(
          `UPDATE ${schema}.fan_join_runs SET remaining = remaining - 1 WHERE run = $1 RETURNING remaining`,
          [run],
        );
        if (left.rows[0]?.remaining === 0) await boss.send(QUEUE, { run }, { db });
        return true;
      });
    // The join completes its own job too, with the counter row's delete: a join that ran twice (its job
    // expired mid-way) finds the row gone and the job not active, and commits nothing.
    const join = (job: PgBoss.Job<FanJoinData>): Promise<void> =>
      inTransaction(pool, async (client) => {
        const { run } = job.data;
        probe.begin(run, 'join');
        const done = (await boss.complete(QUEUE, job.id, { run }, { db: onClient(client) })) as unknown as {
          affected: number;
        };
        if (done.affected !== 1) return false;
        const row = await client.query<{ remaining: number }>(
          `DELETE FROM ${schema}.fan_join_runs WHERE run = $1 RETURNING remaining`,
          [run],
        );
        const remaining = row.rows[0]?.remaining;
        probe.end(run, 'join', remaining === undefined ? 0 : env.width - remaining);
        return true;
      });
    const registration: { id?: string } = {};
    registration.id = await boss.work<FanJoinData>(
      QUEUE,
      { batchSize: env.concurrency, pollingIntervalSeconds: 0.5 },
      async (jobs) => {
        await Promise.all(
          jobs.map((job) => (job.data.i === undefined ? join(job) : branch(job, job.data.i))),
        );
        // Branches and joins are waiting: fetch again now rather than after the polling interval.
        if (registration.id !== undefined) boss.notifyWorker(registration.id);
      },
    );
    return {
      async close() {
        await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
        await pool.end();
      },
    };
  },
};
