import type { Command } from 'commander';
import { positiveInt, type CommandEnv } from '../command-env.js';
import { formatDuration, formatTime, printJson, printTable } from '../output.js';
import { withSession } from '../session.js';

interface WorkersOptions {
  readonly staleAfterMs: number;
}

/** `floxide workers`: every worker that reported a heartbeat, with its liveness (alive, stale, dead, or stopped when it shut down cleanly). */
export function registerWorkersCommand(program: Command, env: CommandEnv): void {
  program
    .command('workers')
    .description('list workers with their health and liveness')
    .option(
      '--stale-after-ms <ms>',
      'a heartbeat older than this is stale (3x: dead); cleanly stopped workers show stopped',
      positiveInt,
      5_000,
    )
    .action(async (options: WorkersOptions, command: Command) => {
      await withSession(command, env.io, {}, async ({ orchestrator, json, io }) => {
        // A worker that shut down cleanly reported `stopped` in its last heartbeat: it is not dead, and its
        // heartbeat age says nothing more.
        const workers = (await orchestrator.liveness({ staleAfterMs: options.staleAfterMs })).map((entry) =>
          entry.worker.status === 'stopped' ? { ...entry, status: 'stopped' as const } : entry,
        );
        if (json) {
          printJson(io, workers);
          return;
        }
        const rows = workers.map(({ worker: health, status, ageMs }) => [
          health.workerId,
          status,
          health.status,
          `${health.host}:${health.pid}`,
          formatTime(health.startedAt),
          `${formatDuration(Math.max(0, ageMs))} ago`,
          String(health.currentItems.length),
          String(health.processed),
          String(health.errors),
        ]);
        printTable(
          io,
          [
            'worker',
            'liveness',
            'status',
            'host:pid',
            'started',
            'heartbeat',
            'running',
            'processed',
            'errors',
          ],
          rows,
          'no workers',
        );
      });
    });
}
