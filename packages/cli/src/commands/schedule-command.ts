import type { MissedTickPolicy } from '@floxide/distributed';
import { Option, type Command } from 'commander';
import type { CommandEnv } from '../command-env.js';
import { formatTime, preview, printJson, printTable } from '../output.js';
import { readInput } from '../read-input.js';
import { requireSharedBackend, withSession } from '../session.js';
import { loadWorkflow } from '../workflow-loader.js';

interface AddOptions {
  readonly id: string;
  readonly cron: string;
  readonly timezone?: string;
  readonly input?: string;
  readonly inputFile?: string;
  readonly missed: MissedTickPolicy;
}

/**
 * `floxide schedule add|list|remove`: stored cron schedules. Runs start while a process fires them
 * (`floxide worker --schedules`, or `orchestrator.startScheduler()`), one run per tick however many do.
 */
export function registerScheduleCommand(program: Command, env: CommandEnv): void {
  const schedule = program.command('schedule').description('manage cron schedules that start runs');
  schedule
    .command('add')
    .description('store (or redefine) a schedule: a run of the workflow at every tick of the cron expression')
    .argument('<workflow>', 'module#export of a built workflow, e.g. ./flows.ts#report')
    .requiredOption('--id <id>', 'schedule id (runs are named schedule:<id>:<tick epoch ms>)')
    .requiredOption('--cron <expression>', "cron expression, e.g. '0 9 * * 1-5' (6 fields: seconds first)")
    .option('--timezone <zone>', 'IANA time zone the expression is read in (default UTC)')
    .option('--input <json>', "the runs' input as JSON, or '-' to read it from stdin (default: null)")
    .option('--input-file <path>', "read the runs' input (JSON) from this file")
    .addOption(
      new Option(
        '--missed <policy>',
        'ticks missed while no scheduler ran: skip (start the latest) or catchUp',
      )
        .choices(['skip', 'catchUp'])
        .default('skip'),
    )
    .action(async (reference: string, options: AddOptions, command: Command) => {
      requireSharedBackend(command, env.io);
      const wf = await loadWorkflow(reference);
      const input = await readInput(options, env.io);
      await withSession(
        command,
        env.io,
        { workflows: [wf], migrate: true },
        async ({ orchestrator, json, io }) => {
          const stored = await orchestrator.schedule(wf, {
            id: options.id,
            cron: options.cron,
            input: input as never,
            missed: options.missed,
            ...(options.timezone === undefined ? {} : { timezone: options.timezone }),
          });
          if (json) printJson(io, stored);
          else
            io.stdout.write(
              `schedule ${stored.id} stored: ${stored.workflow}@${stored.version} at '${stored.cron}'\n`,
            );
        },
      );
    });
  schedule
    .command('list')
    .description('list the stored schedules')
    .action(async (_options: unknown, command: Command) => {
      requireSharedBackend(command, env.io);
      await withSession(command, env.io, {}, async ({ orchestrator, json, io }) => {
        const all = await orchestrator.schedules();
        if (json) {
          printJson(io, all);
          return;
        }
        printTable(
          io,
          ['id', 'workflow', 'cron', 'timezone', 'missed', 'last tick', 'input'],
          all.map((s) => [
            s.id,
            `${s.workflow}@${s.version}`,
            s.cron,
            s.timezone ?? 'UTC',
            s.missed,
            formatTime(s.lastTickAt),
            preview(s.input),
          ]),
          'no schedules',
        );
      });
    });
  schedule
    .command('remove')
    .description('remove a schedule (the runs it started stay)')
    .argument('<id>', 'the schedule id')
    .action(async (id: string, _options: unknown, command: Command) => {
      requireSharedBackend(command, env.io);
      await withSession(command, env.io, {}, async ({ orchestrator, json, io }) => {
        const removed = await orchestrator.unschedule(id);
        if (json) printJson(io, { id, removed });
        else io.stdout.write(removed ? `schedule ${id} removed\n` : `no schedule ${id}\n`);
        if (!removed) env.setExitCode(1);
      });
    });
}
