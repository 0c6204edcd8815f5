import type { RunInfo } from '@floxide/distributed';
import { DistributedWorker } from '@floxide/distributed';
import type { Command } from 'commander';
import { parseJsonOption, positiveInt, type CommandEnv } from '../command-env.js';
import { readInput } from '../read-input.js';
import { preview, printJson } from '../output.js';
import { withSession } from '../session.js';
import { loadWorkflow } from '../workflow-loader.js';

interface StartOptions {
  readonly input?: string;
  readonly inputFile?: string;
  readonly context?: string;
  readonly runId?: string;
  readonly deadlineMs?: number;
  readonly wait?: boolean;
  readonly timeoutMs?: number;
}

/**
 * `floxide start <module#export> --input <json>`: validates the input and starts a run; prints its id.
 *
 * @remarks
 * With `--wait` it waits for the run to finish and prints its output; the exit code is 1 unless the run
 * completed. The memory backend lives only inside this process, so there `start` always runs an embedded
 * worker and waits.
 */
export function registerStartCommand(program: Command, env: CommandEnv): void {
  program
    .command('start')
    .description('start a run of a workflow and print its run id')
    .argument('<workflow>', 'module#export of a built workflow, e.g. ./flows.ts#orderFlow')
    .option('--input <json>', "the run input as JSON, or '-' to read it from stdin (default: null)")
    .option('--input-file <path>', 'read the run input (JSON) from this file')
    .option('--context <json>', 'initial context values as JSON')
    .option('--run-id <id>', 'use this run id (starting the same id twice starts one run)')
    .option('--deadline-ms <ms>', 'fail the run if it is not finished after this long', positiveInt)
    .option('--wait', 'wait for the run to finish and print its output')
    .option('--timeout-ms <ms>', 'with --wait: give up waiting after this long', positiveInt)
    .action(async (reference: string, options: StartOptions, command: Command) => {
      const wf = await loadWorkflow(reference);
      const input = await readInput(options, env.io);
      const context =
        options.context === undefined ? undefined : parseJsonOption(options.context, '--context');
      await withSession(
        command,
        env.io,
        { workflows: [wf], migrate: true },
        async ({ orchestrator, backend, settings, json, io }) => {
          const runId = await orchestrator.start(wf, input, {
            ...(context === undefined ? {} : { context }),
            ...(options.runId === undefined ? {} : { runId: options.runId }),
            ...(options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs }),
          });
          const embedded = settings.kind === 'memory';
          if (!embedded && options.wait !== true) {
            if (json) printJson(io, { runId });
            else io.stdout.write(`${runId}\n`);
            return;
          }
          const worker = embedded
            ? new DistributedWorker({ backend, workflows: [wf], concurrency: 4 })
            : undefined;
          await worker?.start();
          let run: RunInfo;
          try {
            run = await orchestrator.wait(runId, {
              signal: io.signal,
              ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
            });
          } finally {
            await worker?.close({ graceMs: 1_000 });
          }
          if (json) printJson(io, { runId, status: run.status, output: run.output, error: run.error });
          else {
            io.stdout.write(`${runId}\n`);
            io.stdout.write(`status: ${run.status}\n`);
            if (run.output !== undefined) io.stdout.write(`output: ${preview(run.output, 10_000)}\n`);
            if (run.error !== undefined) io.stdout.write(`error: ${run.error.message} [${run.error.code}]\n`);
          }
          if (run.status !== 'completed') env.setExitCode(1);
        },
      );
    });
}
