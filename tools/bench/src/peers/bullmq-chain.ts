import { Queue, Worker } from 'bullmq';
import { deleteKeysWithPrefix } from '../env/redis-env.js';
import type { QueueContender } from '../workers/queue-contender.js';
import { bullmqConnection, bullmqLeftovers, requireRedisUrl } from './bullmq-connection.js';

/** Job payload of the chain: which run, which step. */
interface StepData {
  readonly run: number;
  readonly k: number;
}

const QUEUE = 'chain';
// A typical production setting: completed jobs are not kept (the next job carries the state).
const JOB_OPTIONS = { removeOnComplete: true, removeOnFail: false } as const;

/**
 * The hand-written BullMQ chain: each step's handler adds the next step's job to the queue.
 *
 * @remarks
 * What a user would write instead of a workflow engine on Redis. It commits nothing but the job
 * itself: no run record, no context, no exactly-once successor (a crash between `add` and the job's
 * completion re-runs the step and adds the successor twice).
 */
export const bullmqChain: QueueContender = {
  id: 'bullmq-chain',
  label: 'BullMQ hand-written chain',
  async open(env) {
    const url = requireRedisUrl(env);
    const connection = bullmqConnection(url);
    const queue = new Queue<StepData>(QUEUE, { connection, prefix: env.namespace });
    await queue.waitUntilReady();
    return {
      async enqueueRuns(first, count) {
        const jobs = Array.from({ length: count }, (_, i) => ({
          name: 'step',
          data: { run: first + i, k: 0 },
          opts: JOB_OPTIONS,
        }));
        await queue.addBulk(jobs);
      },
      verify: () => bullmqLeftovers(queue),
      async destroy() {
        await queue.close();
        connection.disconnect();
        await deleteKeysWithPrefix(url, `${env.namespace}:`);
      },
    };
  },
  async startWorker(env, probe) {
    const connection = bullmqConnection(requireRedisUrl(env));
    const queue = new Queue<StepData>(QUEUE, { connection, prefix: env.namespace });
    const last = env.stepsPerRun - 1;
    const worker = new Worker<StepData>(
      QUEUE,
      async (job) => {
        const { run, k } = job.data;
        probe.begin(run, k);
        probe.end(run, k);
        if (k < last) await queue.add('step', { run, k: k + 1 }, JOB_OPTIONS);
      },
      { connection, prefix: env.namespace, concurrency: env.concurrency },
    );
    await worker.waitUntilReady();
    return {
      async close() {
        await worker.close();
        await queue.close();
        connection.disconnect();
      },
    };
  },
};
