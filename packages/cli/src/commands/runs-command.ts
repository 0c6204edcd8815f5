import type { RunStatus } from '@floxide/distributed';
import { Option, type Command } from 'commander';
import { positiveInt, type CommandEnv } from '../command-env.js';
import { formatTime, preview, printJson, printTable } from '../output.js';
import { withSession } from '../session.js';
import { parseSince } from '../since-option.js';

const STATUSES: readonly RunStatus[] = [
  'queued',
  'running',
  'waiting',
  'paused',
  'completed',
  'failed',
  'cancelled',
];

/** Printed when no backend was chosen: the default memory backend only ever holds this process's runs. */
export const UNCONFIGURED_NOTE =
  'floxide: no backend configured (--backend or FLOXIDE_BACKEND): looked at the in-memory backend of ' +
  'this process, which never holds runs of other processes; use --backend redis or --backend postgres';

interface RunsOptions {
  readonly status?: RunStatus;
  readonly workflow?: string;
  readonly since?: number;
  readonly idPrefix?: string;
  readonly limit: number;
  readonly cursor?: string;
}

/**
 * `floxide runs`: lists runs newest first, filtered by status, workflow, creation time (`--since 1h`) or
 * run id prefix (`--id-prefix`, then ordered by run id; `--prefix` is the global Redis key prefix), one page at a time.
 */
export function registerRunsCommand(program: Command, env: CommandEnv): void {
  program
    .command('runs')
    .description('list runs, newest first')
    .addOption(new Option('--status <status>', 'only runs with this status').choices(STATUSES))
    .option('--workflow <name>', 'only runs of this workflow')
    .option(
      '--since <when>',
      'only runs created since then: a duration back from now (30s, 15m, 1h, 7d) or an ISO date/time',
      (value: string) => parseSince(value),
    )
    .option('--id-prefix <text>', 'only runs whose id starts with this (listed by run id)')
    .option('--limit <n>', 'page size', positiveInt, 20)
    .option('--cursor <cursor>', 'continue after a previous page')
    .action(async (options: RunsOptions, command: Command) => {
      await withSession(command, env.io, {}, async ({ orchestrator, json, io, settings }) => {
        if (!settings.configured) io.stderr.write(`${UNCONFIGURED_NOTE}\n`);
        const page = await orchestrator.runs({
          limit: options.limit,
          ...(options.status === undefined ? {} : { status: options.status }),
          ...(options.workflow === undefined ? {} : { workflow: options.workflow }),
          ...(options.since === undefined ? {} : { since: options.since }),
          ...(options.idPrefix === undefined ? {} : { runIdPrefix: options.idPrefix }),
          ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
        });
        if (json) {
          printJson(io, page);
          return;
        }
        const rows = page.runs.map((run) => [
          run.runId,
          `${run.workflow}@${run.version}`,
          run.status,
          formatTime(run.createdAt),
          formatTime(run.finishedAt),
          run.status === 'failed'
            ? (run.error?.message ?? '-')
            : run.waitingFor !== undefined
              ? `waiting for ${run.waitingFor.join(', ')}`
              : preview(run.output, 40),
        ]);
        printTable(
          io,
          ['run', 'workflow', 'status', 'created', 'finished', 'output / error'],
          rows,
          'no runs',
        );
        if (page.nextCursor !== undefined) io.stdout.write(`more: --cursor ${page.nextCursor}\n`);
      });
    });
}
