import { FlowProducer, Queue, Worker, type FlowJob } from 'bullmq';
import { deleteKeysWithPrefix } from '../env/redis-env.js';
import type { FanJoinContender } from '../workers/fan-join-contender.js';
import { bullmqConnection, bullmqLeftovers, requireRedisUrl } from './bullmq-connection.js';

/** Job payload: which run, and which branch (absent on the join). */
interface FanJoinData {
  readonly run: number;
  readonly i?: number;
}

const QUEUE = 'fanjoin';
const JOB_OPTIONS = { removeOnComplete: true, removeOnFail: false } as const;

/** One run: the join is the parent job, the `width` branches its children (BullMQ runs children first). */
function flowOf(run: number, width: number): FlowJob {
  return {
    name: 'join',
    queueName: QUEUE,
    data: { run },
    opts: JOB_OPTIONS,
    children: Array.from({ length: width }, (_, i) => ({
      name: 'branch',
      queueName: QUEUE,
      data: { run, i },
      opts: JOB_OPTIONS,
    })),
  };
}

/**
 * BullMQ FlowProducer: each run is a parent job with `width` children; the parent becomes runnable once
 * every child completed and reads their results with `getChildrenValues()`.
 *
 * @remarks
 * BullMQ's own fan-out → join. The whole flow is written when the run starts (no fan step runs in a
 * worker). A child's return value is kept in its parent's `processed` hash, so children can be removed
 * on completion and the parent still sees every result.
 */
export const bullmqFlowFanJoin: FanJoinContender = {
  id: 'bullmq-flow',
  label: 'BullMQ FlowProducer',
  fanStep: false,
  async open(env) {
    const url = requireRedisUrl(env);
    const connection = bullmqConnection(url);
    const producer = new FlowProducer({ connection, prefix: env.namespace });
    const queue = new Queue<FanJoinData>(QUEUE, { connection, prefix: env.namespace });
    await queue.waitUntilReady();
    return {
      async enqueueRuns(first, count) {
        await producer.addBulk(Array.from({ length: count }, (_, k) => flowOf(first + k, env.width)));
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
    const worker = new Worker<FanJoinData, unknown>(
      QUEUE,
      async (job) => {
        const { run, i } = job.data;
        if (i !== undefined) {
          probe.begin(run, i);
          probe.end(run, i);
          return { run, i };
        }
        probe.begin(run, 'join');
        const values = Object.values(await job.getChildrenValues<{ run: number; i: number }>());
        const seen = new Set(values.filter((v) => v.run === run).map((v) => v.i));
        probe.end(run, 'join', seen.size);
        return { run, count: seen.size };
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
