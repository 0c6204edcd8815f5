import type { RunEvent } from '@floxide/distributed';
import type { Command } from 'commander';
import type { CommandEnv } from '../command-env.js';
import { preview, printJsonLine } from '../output.js';
import { withSession } from '../session.js';
import { barView, changesCounts, countsOf, plainView, type ProgressView } from '../watch-progress.js';

interface WatchOptions {
  readonly events?: boolean;
}

/**
 * `floxide watch <runId>`: follows a run until it finishes. On a terminal it shows a live progress bar
 * (items done / total, retries, failures, elapsed); otherwise plain progress lines. `--events` prints the
 * event log instead, `--json` one event per line. Exit code 0 when the run completed, 1 otherwise.
 */
export function registerWatchCommand(program: Command, env: CommandEnv): void {
  program
    .command('watch')
    .description('follow a run live until it finishes (progress bar on a terminal)')
    .argument('<runId>', 'the run id')
    .option('--events', 'print the event log (step started/committed/retrying/failed, status changes)')
    .action(async (runId: string, options: WatchOptions, command: Command) => {
      await withSession(command, env.io, {}, async ({ orchestrator, json, io }) => {
        // Fails with RUN_NOT_FOUND before anything is printed for an unknown run.
        await orchestrator.get(runId);
        const startedAt = Date.now();
        const events = json || options.events === true;
        const view: ProgressView | undefined = events
          ? undefined
          : io.isTTY === true
            ? barView(io.stdout as NodeJS.WritableStream)
            : plainView((text) => io.stdout.write(text));
        const refresh = async (): Promise<void> => {
          view?.update(
            countsOf(await orchestrator.metrics(runId).catch(() => undefined), startedAt, Date.now()),
          );
        };
        await refresh();
        try {
          for await (const event of orchestrator.watch(runId, {
            signal: io.signal,
          })) {
            if (json) printJsonLine(io, event);
            else if (events) io.stdout.write(`${describe(event)}\n`);
            else if (changesCounts(event)) await refresh();
          }
          await refresh();
        } finally {
          view?.stop();
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

function describe(event: RunEvent): string {
  const time = new Date(event.at).toISOString().slice(11, 23);
  if (event.type === 'run.status') return `${time}  run ${event.status ?? '?'}`;
  const step = `${event.node ?? '?'} #${event.attempt ?? 1}`;
  const error = event.error === undefined ? '' : ` (${event.error.code}: ${event.error.message})`;
  return `${time}  ${event.type.padEnd(14)} ${step}${error}`;
}
