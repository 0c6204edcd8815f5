import PgBoss from 'pg-boss';
import type { QueueContender } from '../workers/queue-contender.js';
import { queryOnce, quoteIdent, requireDatabaseUrl } from './postgres-peer-helpers.js';

/** Job payload of the chain: which run, which step. */
interface StepData {
  readonly run: number;
  readonly k: number;
}

const QUEUE = 'chain';

/**
 * pg-boss with a hand-written chain: each handler sends the next step's job, then calls
 * `notifyWorker` on its own worker.
 *
 * @remarks
 * pg-boss workers poll (no LISTEN/NOTIFY); after a fetch they sleep until the polling interval (min
 * 0.5 s) unless notified. Without `notifyWorker` a chain would advance at most one batch per interval;
 * with it the worker fetches again as soon as its handler is done. Concurrency 16 is one `work()`
 * registration with `batchSize: 16` whose jobs run concurrently (pg-boss 10 has no team size).
 */
export const pgBossChain: QueueContender = {
  id: 'pgboss-chain',
  label: 'pg-boss hand-written chain (notifyWorker)',
  async open(env) {
    const connectionString = requireDatabaseUrl(env);
    const boss = new PgBoss({ connectionString, schema: env.namespace, supervise: false, schedule: false });
    boss.on('error', (error: Error) => process.stderr.write(`[pg-boss] ${error.message}\n`));
    await boss.start();
    await boss.createQueue(QUEUE);
    return {
      async enqueueRuns(first, count) {
        await boss.insert(
          Array.from({ length: count }, (_, i) => ({ name: QUEUE, data: { run: first + i, k: 0 } })),
        );
      },
      async verify() {
        const rows = await queryOnce<{ state: string; n: string }>(
          connectionString,
          `SELECT state, count(*) AS n FROM ${quoteIdent(env.namespace)}.job WHERE name = $1 GROUP BY state`,
          [QUEUE],
        );
        return rows
          .filter((r) => r.state !== 'completed')
          .map((r) => `${r.n} job(s) left in state ${r.state}`);
      },
      async destroy() {
        await boss.stop({ graceful: false, wait: true });
        await queryOnce(connectionString, `DROP SCHEMA IF EXISTS ${quoteIdent(env.namespace)} CASCADE`);
      },
    };
  },
  async startWorker(env, probe) {
    const boss = new PgBoss({
      connectionString: requireDatabaseUrl(env),
      schema: env.namespace,
      supervise: false,
      schedule: false,
      migrate: false,
      max: env.concurrency + 4,
    });
    boss.on('error', (error: Error) => process.stderr.write(`[pg-boss] ${error.message}\n`));
    await boss.start();
    const last = env.stepsPerRun - 1;
    // One registration fetching `concurrency` jobs per poll, run concurrently: pg-boss 10's own way to
    // work in parallel. (16 registrations of batch size 1 were measured ~10× slower here.)
    // The handler needs the id `work()` returns; a holder avoids reading a not-yet-assigned binding.
    const registration: { id?: string } = {};
    registration.id = await boss.work<StepData>(
      QUEUE,
      { batchSize: env.concurrency, pollingIntervalSeconds: 0.5 },
      async (jobs) => {
        await Promise.all(
          jobs.map(async (job) => {
            const { run, k } = job.data;
            probe.begin(run, k);
            probe.end(run, k);
            if (k < last) await boss.send(QUEUE, { run, k: k + 1 });
          }),
        );
        // The successors are in the table: fetch again now rather than after the polling interval.
        if (registration.id !== undefined) boss.notifyWorker(registration.id);
      },
    );
    return {
      async close() {
        await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
      },
    };
  },
};
