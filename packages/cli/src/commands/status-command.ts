import type { Command } from 'commander';
import type { CommandEnv } from '../command-env.js';
import { formatDuration, formatTime, preview, printFields, printJson } from '../output.js';
import { withSession } from '../session.js';
import { waitLabel } from './wait-label.js';

/** `floxide status <runId>`: the run record and its step counters. Unknown run ids fail with RUN_NOT_FOUND. */
export function registerStatusCommand(program: Command, env: CommandEnv): void {
  program
    .command('status')
    .description('show one run: status, timings, output or error, step counters')
    .argument('<runId>', 'the run id')
    .action(async (runId: string, _options: unknown, command: Command) => {
      await withSession(command, env.io, {}, async ({ orchestrator, json, io }) => {
        const run = await orchestrator.get(runId);
        const metrics = await orchestrator.metrics(runId);
        if (json) {
          printJson(io, { run, metrics });
          return;
        }
        const end = run.finishedAt ?? Date.now();
        printFields(io, [
          ['run', run.runId],
          ['workflow', `${run.workflow}@${run.version}`],
          ['status', run.status],
          // A child run of a `subflow` node on a worker.
          ...(run.parentRunId === undefined ? [] : [['parent', run.parentRunId] as const]),
          ['created', formatTime(run.createdAt)],
          ['started', formatTime(run.startedAt)],
          ['finished', formatTime(run.finishedAt)],
          // A durable timer the run sleeps on (Transition.next(value, { delayMs })): no worker holds it.
          ...(run.waitingUntil === undefined
            ? []
            : [['waiting until', formatTime(run.waitingUntil)] as const]),
          // Steps parked on Transition.waitFor (`floxide signal <run> <name>` continues them) or on a child run.
          ...(run.waitingFor === undefined
            ? []
            : [['waiting for', run.waitingFor.map(waitLabel).join(', ')] as const]),
          ['duration', run.startedAt === undefined ? '-' : formatDuration(end - run.startedAt)],
          ['input', preview(run.input, 100)],
          ...(run.output === undefined ? [] : [['output', preview(run.output, 100)] as const]),
          ...(run.error === undefined
            ? []
            : [['error', `${run.error.message} [${run.error.code}]`] as const]),
          [
            'steps',
            metrics === undefined
              ? '-'
              : `${metrics.completed} completed, ${metrics.failed} failed, ${metrics.retries} retries, ` +
                `${metrics.running} running, ${metrics.totalItems} items`,
          ],
        ]);
      });
    });
}
