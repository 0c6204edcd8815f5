import type { RunEvent } from '@floxide/distributed';
import type { Command } from 'commander';
import { positiveInt, type CommandEnv } from '../command-env.js';
import { preview, printJsonLine } from '../output.js';
import { withSession } from '../session.js';

interface WatchOptions {
  readonly pollMs?: number;
}

/** Running totals shown after every step event. */
interface Progress {
  started: number;
  committed: number;
  retries: number;
  failed: number;
}

/**
 * `floxide watch <runId>`: streams the run's step and status events until it finishes.
 * Exit code 0 when the run completed, 1 when it failed or was cancelled. `--json` prints one event per line.
 */
export function registerWatchCommand(program: Command, env: CommandEnv): void {
  program
    .command('watch')
    .description('follow a run live until it finishes')
    .argument('<runId>', 'the run id')
    .option('--poll-ms <ms>', 'how often to read new events', positiveInt)
    .action(async (runId: string, options: WatchOptions, command: Command) => {
      await withSession(command, env.io, {}, async ({ orchestrator, json, io }) => {
        // Fails with RUN_NOT_FOUND before anything is printed for an unknown run.
        await orchestrator.get(runId);
        const progress: Progress = { started: 0, committed: 0, retries: 0, failed: 0 };
        for await (const event of orchestrator.watch(runId, {
          signal: io.signal,
          ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
        })) {
          count(progress, event);
          if (json) printJsonLine(io, event);
          else io.stdout.write(`${describe(event)}  ${summary(progress)}\n`);
        }
        const run = await orchestrator.get(runId);
        if (json)
          printJsonLine(io, {
            type: 'run.final',
            runId,
            status: run.status,
            output: run.output,
            error: run.error,
          });
        else {
          const detail =
            run.status === 'completed'
              ? `output ${preview(run.output, 200)}`
              : run.error === undefined
                ? ''
                : `${run.error.message} [${run.error.code}]`;
          io.stdout.write(`run ${runId} ${run.status}${detail === '' ? '' : `: ${detail}`}\n`);
        }
        if (run.status !== 'completed') env.setExitCode(1);
      });
    });
}

function count(progress: Progress, event: RunEvent): void {
  if (event.type === 'step.started') progress.started += 1;
  else if (event.type === 'step.committed') progress.committed += 1;
  else if (event.type === 'step.retrying') progress.retries += 1;
  else if (event.type === 'step.failed') progress.failed += 1;
}

function describe(event: RunEvent): string {
  const time = new Date(event.at).toISOString().slice(11, 23);
  if (event.type === 'run.status') return `${time}  run ${event.status ?? '?'}`;
  const step = `${event.node ?? '?'} #${event.attempt ?? 1}`;
  const error = event.error === undefined ? '' : ` (${event.error.code}: ${event.error.message})`;
  return `${time}  ${event.type.padEnd(14)} ${step}${error}`;
}

function summary(progress: Progress): string {
  return `[${progress.committed} done, ${progress.retries} retries, ${progress.failed} failed]`;
}
