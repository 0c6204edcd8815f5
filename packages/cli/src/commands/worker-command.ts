import { consoleLogger } from '@floxide/core';
import { DistributedWorker } from '@floxide/distributed';
import type { Command } from 'commander';
import { untilAborted } from '../cli-io.js';
import { nonNegativeInt, positiveInt, type CommandEnv } from '../command-env.js';
import { printJsonLine } from '../output.js';
import { requireSharedBackend, withSession } from '../session.js';
import { loadWorkflows } from '../workflow-loader.js';

interface WorkerOptions {
  readonly workflows: string[];
  readonly concurrency: number;
  readonly id?: string;
  readonly graceMs: number;
  readonly leaseMs?: number;
  readonly heartbeatMs?: number;
  readonly schedules?: boolean;
}

/**
 * `floxide worker --workflows <module>`: runs a worker until SIGTERM/SIGINT, then shuts down gracefully
 * (stops leasing, lets running steps finish within `--grace-ms`, releases the rest) and exits 0.
 */
export function registerWorkerCommand(program: Command, env: CommandEnv): void {
  program
    .command('worker')
    .description('run a worker for the workflows a module exports, until SIGTERM/SIGINT')
    .requiredOption(
      '--workflows <module>',
      'module exporting built workflows (or module#export); repeatable',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--concurrency <n>', 'steps run at the same time', positiveInt, 4)
    .option('--id <id>', 'worker id (default: host-pid-random)')
    .option(
      '--grace-ms <ms>',
      'on shutdown, how long running steps may take to finish',
      nonNegativeInt,
      10_000,
    )
    .option('--lease-ms <ms>', 'lease duration of each item', positiveInt)
    .option('--heartbeat-ms <ms>', 'heartbeat and lease-extension period', positiveInt)
    .option(
      '--schedules',
      'also fire the stored cron schedules of these workflows (any number of processes may)',
    )
    .action(async (options: WorkerOptions, command: Command) => {
      requireSharedBackend(command, env.io);
      const workflows = (await Promise.all(options.workflows.map((ref) => loadWorkflows(ref)))).flat();
      await withSession(
        command,
        env.io,
        { workflows, migrate: true },
        async ({ backend, orchestrator, json, verbose, io }) => {
          const worker = new DistributedWorker({
            backend,
            workflows,
            concurrency: options.concurrency,
            ...(options.id === undefined ? {} : { id: options.id }),
            ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
            ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
            ...(verbose ? { logger: consoleLogger } : {}),
          });
          await worker.start();
          const scheduler = options.schedules === true ? orchestrator.startScheduler() : undefined;
          const names = workflows.map((wf) => `${wf.name}@${wf.version}`);
          if (json) printJsonLine(io, { event: 'worker.started', workerId: worker.id, workflows: names });
          else
            io.stdout.write(
              `worker ${worker.id} started (${names.join(', ')}), concurrency ${options.concurrency}\n`,
            );
          await untilAborted(io.signal);
          await scheduler?.stop();
          if (!json) io.stdout.write(`worker ${worker.id} stopping (grace ${options.graceMs} ms)\n`);
          await worker.close({ graceMs: options.graceMs });
          const { processed, errors } = worker.stats;
          if (json) printJsonLine(io, { event: 'worker.stopped', workerId: worker.id, processed, errors });
          else
            io.stdout.write(`worker ${worker.id} stopped: ${processed} steps processed, ${errors} errors\n`);
        },
      );
    });
}
