import { Logger, makeWorkerUtils, run, type Task } from 'graphile-worker';
import type { QueueContender } from '../workers/queue-contender.js';
import { queryOnce, quoteIdent, requireDatabaseUrl } from './postgres-peer-helpers.js';

/** Job payload of the chain: which run, which step. */
interface StepData {
  readonly run: number;
  readonly k: number;
}

/** Graphile Worker logs every job at info level; the bench keeps only errors. */
const quietLogger = new Logger(() => (level, message) => {
  if (level === 'error') process.stderr.write(`[graphile-worker] ${message}\n`);
});

/**
 * Graphile Worker with a hand-written chain: each task adds the next step's job.
 *
 * @remarks
 * Graphile Worker claims jobs with `SKIP LOCKED` and wakes workers with LISTEN/NOTIFY, like Floxide's
 * Postgres backend. Completed jobs are deleted; nothing records the run.
 */
export const graphileChain: QueueContender = {
  id: 'graphile-chain',
  label: 'Graphile Worker hand-written chain',
  async open(env) {
    const connectionString = requireDatabaseUrl(env);
    const utils = await makeWorkerUtils({ connectionString, schema: env.namespace, logger: quietLogger });
    await utils.migrate();
    return {
      async enqueueRuns(first, count) {
        await utils.addJobs(
          Array.from({ length: count }, (_, i) => ({
            identifier: 'step',
            payload: { run: first + i, k: 0 },
          })),
        );
      },
      async verify() {
        const rows = await queryOnce<{ n: string }>(
          connectionString,
          `SELECT count(*) AS n FROM ${quoteIdent(env.namespace)}._private_jobs`,
        );
        const left = Number(rows[0]?.n ?? 0);
        return left === 0 ? [] : [`${left} job(s) left in the jobs table`];
      },
      async destroy() {
        await utils.release();
        await queryOnce(connectionString, `DROP SCHEMA IF EXISTS ${quoteIdent(env.namespace)} CASCADE`);
      },
    };
  },
  async startWorker(env, probe) {
    const last = env.stepsPerRun - 1;
    const step: Task = async (payload, helpers) => {
      const { run: runId, k } = payload as StepData;
      probe.begin(runId, k);
      probe.end(runId, k);
      if (k < last) await helpers.addJob('step', { run: runId, k: k + 1 });
    };
    const runner = await run({
      connectionString: requireDatabaseUrl(env),
      schema: env.namespace,
      concurrency: env.concurrency,
      noHandleSignals: true,
      logger: quietLogger,
      taskList: { step },
    });
    return {
      async close() {
        await runner.stop();
      },
    };
  },
};
