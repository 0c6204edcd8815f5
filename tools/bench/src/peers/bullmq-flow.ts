import { FlowProducer, Queue, Worker, type FlowJob } from 'bullmq';
import { deleteKeysWithPrefix } from '../env/redis-env.js';
import type { QueueContender } from '../workers/queue-contender.js';
import { bullmqConnection, bullmqLeftovers, requireRedisUrl } from './bullmq-connection.js';

/** Job payload of a flow step: which run, which step. */
interface StepData {
  readonly run: number;
  readonly k: number;
}

const QUEUE = 'flow';
const JOB_OPTIONS = { removeOnComplete: true, removeOnFail: false } as const;

/** The flow of one run: step `last` is the root, step 0 the deepest child (BullMQ runs children first). */
function flowOf(run: number, stepsPerRun: number): FlowJob {
  let job: FlowJob = { name: 'step', queueName: QUEUE, data: { run, k: 0 }, opts: JOB_OPTIONS };
  for (let k = 1; k < stepsPerRun; k++) {
    job = { name: 'step', queueName: QUEUE, data: { run, k }, opts: JOB_OPTIONS, children: [job] };
  }
  return job;
}

/**
 * BullMQ FlowProducer: each run is a parent–child chain of the same depth, declared up front.
 *
 * @remarks
 * The closest thing BullMQ has to a workflow: dependencies are tracked in Redis, a parent becomes
 * runnable when its children completed. The whole graph is created when the run starts.
 */
export const bullmqFlow: QueueContender = {
  id: 'bullmq-flow',
  label: 'BullMQ FlowProducer',
  async open(env) {
    const url = requireRedisUrl(env);
    const connection = bullmqConnection(url);
    const producer = new FlowProducer({ connection, prefix: env.namespace });
    const queue = new Queue<StepData>(QUEUE, { connection, prefix: env.namespace });
    await queue.waitUntilReady();
    return {
      async enqueueRuns(first, count) {
        await producer.addBulk(Array.from({ length: count }, (_, i) => flowOf(first + i, env.stepsPerRun)));
      },
      verify: () => bullmqLeftovers(queue),
      async destroy() {
        await producer.close();
        await queue.close();
        connection.disconnect();
        await deleteKeysWithPrefix(url, `${env.namespace}:`);
      },
    };
  },
  async startWorker(env, probe) {
    const connection = bullmqConnection(requireRedisUrl(env));
    const worker = new Worker<StepData>(
      QUEUE,
      async (job) => {
        const { run, k } = job.data;
        probe.begin(run, k);
        probe.end(run, k);
      },
      { connection, prefix: env.namespace, concurrency: env.concurrency },
    );
    await worker.waitUntilReady();
    return {
      async close() {
        await worker.close();
        connection.disconnect();
      },
    };
  },
};
