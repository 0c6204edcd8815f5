import { DistributedOrchestrator, DistributedWorker } from '@floxide/distributed';
import { RedisBackend, type RedisBackendOptions } from '@floxide/redis';
import { Redis } from 'ioredis';
import { startPrivateCluster } from '../env/private-cluster.js';
import { startPrivateRedis } from '../env/private-redis.js';
import { uniqueSuffix } from '../env/service-urls.js';
import { floxideQueueChain } from '../floxide/queue-chain-workflow.js';
import type { ResultRow } from '../report/scenario-result.js';
import type { Scenario } from './scenario.js';

const STEPS = 5;
const CONCURRENCY = 16;

/** What one topology did. */
interface Side {
  readonly label: string;
  readonly stepsPerSec: number;
  /** Server CPU (user + sys, all masters) per committed step, ms. */
  readonly cpuMsPerStep: number;
  /** The same per master: how the load spread over the shards. */
  readonly cpuMsPerStepByMaster: readonly number[];
  readonly completed: number;
}

/** `used_cpu_user + used_cpu_sys` of one server (ms). */
async function serverCpuMs(port: number): Promise<number> {
  const probe = new Redis(port, { maxRetriesPerRequest: 1 });
  try {
    const info = await probe.info('cpu');
    const field = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
    return (field('used_cpu_user') + field('used_cpu_sys')) * 1_000;
  } finally {
    probe.disconnect();
  }
}

/** Runs `runs` chains with one in-process worker on `connection`, measuring the masters' CPU. */
async function measure(
  label: string,
  connection: Pick<RedisBackendOptions, 'connection'>,
  ports: readonly number[],
  runs: number,
  timeoutMs: number,
): Promise<Side> {
  const backend = new RedisBackend({ ...connection, prefix: `bench-p16-${uniqueSuffix()}` });
  const wf = floxideQueueChain(STEPS);
  const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
  const worker = new DistributedWorker({
    backend,
    workflows: [wf],
    concurrency: CONCURRENCY,
    idleWaitMs: 50,
  });
  try {
    const runIds: string[] = [];
    for (let i = 0; i < runs; i += 200) {
      const batch = Array.from({ length: Math.min(200, runs - i) }, (_, k) =>
        orchestrator.start(wf, { run: i + k }),
      );
      runIds.push(...(await Promise.all(batch)));
    }
    const cpuBefore = await Promise.all(ports.map(serverCpuMs));
    const started = performance.now();
    await worker.start();
    const infos = await Promise.all(runIds.map((id) => orchestrator.wait(id, { timeoutMs })));
    const elapsedMs = performance.now() - started;
    const cpuAfter = await Promise.all(ports.map(serverCpuMs));
    const steps = runs * STEPS;
    const byMaster = cpuAfter.map((after, i) => (after - (cpuBefore[i] ?? 0)) / steps);
    return {
      label,
      stepsPerSec: steps / (elapsedMs / 1_000),
      cpuMsPerStep: byMaster.reduce((a, b) => a + b, 0),
      cpuMsPerStepByMaster: byMaster,
      completed: infos.filter((info) => info.status === 'completed').length,
    };
  } finally {
    await worker.close();
    await backend.destroyAllData().catch(() => undefined);
    await backend.close();
  }
}

/** P16: the P3 chain (Floxide only) on one private Redis vs a private 3-master Redis Cluster. */
export const p16ClusterChain: Scenario = {
  id: 'p16',
  title: 'Redis: 5-step chain on 1 master vs a 3-master Cluster (in-process worker × 16)',
  async run(options) {
    const runs = options.runs ?? (options.smoke ? 20 : 2_000);
    const timeoutMs = options.smoke ? 60_000 : 300_000;
    const sides: Side[] = [];
    const single = await startPrivateRedis();
    try {
      const port = Number(new URL(single.url).port);
      options.log(`p16: ${runs} runs on one master`);
      sides.push(await measure('1 master', { connection: single.url }, [port], runs, timeoutMs));
    } finally {
      await single.stop();
    }
    const cluster = await startPrivateCluster(3);
    const client = cluster.client();
    try {
      const ports = cluster.nodes.map((node) => Number(node.split(':')[1]));
      options.log(`p16: ${runs} runs on a 3-master cluster`);
      sides.push(await measure('3-master Cluster', { connection: client }, ports, runs, timeoutMs));
    } finally {
      client.disconnect();
      await cluster.stop();
    }
    const checks = sides.map((s) => `${s.label}: ${s.completed}/${runs} runs completed`);
    const rows: ResultRow[] = sides.flatMap((s) => [
      { contender: `Floxide, ${s.label}`, case: 'throughput', figure: s.stepsPerSec, unit: 'steps/s' },
      {
        contender: `Floxide, ${s.label}`,
        case: 'server CPU per step',
        figure: s.cpuMsPerStep,
        unit: 'ms',
        note: `per master: ${s.cpuMsPerStepByMaster.map((v) => v.toFixed(3)).join(' / ')} ms`,
      },
    ]);
    const [one, three] = sides as [Side, Side];
    return {
      verified: sides.every((s) => s.completed === runs),
      checks,
      rows,
      targets: [
        {
          target:
            'P16 Cluster spreads the server work: busiest master ≤ 0.6× the single master’s CPU per step',
          met: Math.max(...three.cpuMsPerStepByMaster) <= 0.6 * one.cpuMsPerStep,
          actual: `${(Math.max(...three.cpuMsPerStepByMaster) / one.cpuMsPerStep).toFixed(2)}×`,
        },
      ],
      notes: [
        'One in-process DistributedWorker (not P3’s worker process): on 2 cores the client side bounds throughput, so the per-master CPU shows the scale-out.',
        'Server CPU is INFO cpu (used_cpu_user + used_cpu_sys) of every master, before the worker starts to the last run’s end, divided by the steps.',
        'The BullMQ queue’s keys live in one slot, so its master carries the queue traffic of every step.',
      ],
    };
  },
};
