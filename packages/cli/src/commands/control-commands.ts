import { isFloxideError, RunStateError } from '@floxide/core';
import type { RunInfo, RunStatus } from '@floxide/distributed';
import type { Command } from 'commander';
import type { CommandEnv } from '../command-env.js';
import { printJson } from '../output.js';
import { withSession, type Session } from '../session.js';

interface ControlSpec {
  readonly name: string;
  readonly description: string;
  readonly past: string;
  /** Statuses in which the action has nothing left to do: the command succeeds with a note. */
  readonly alreadyDone: readonly RunStatus[];
  /** Performs the action; resolves with the run as the action left it. */
  readonly act: (session: Session, runId: string) => Promise<RunInfo>;
}

const CONTROLS: readonly ControlSpec[] = [
  {
    name: 'cancel',
    description: 'cancel a run: queued items are dropped, running steps are aborted and never commit',
    past: 'cancelled',
    alreadyDone: ['cancelled'],
    act: ({ orchestrator }, runId) => orchestrator.cancel(runId),
  },
  {
    name: 'pause',
    description: 'pause a run: no new step starts until it is resumed',
    past: 'paused',
    alreadyDone: ['paused'],
    act: ({ orchestrator }, runId) => orchestrator.pause(runId),
  },
  {
    name: 'resume',
    description: 'resume a paused run',
    past: 'resumed',
    alreadyDone: ['queued', 'running'],
    act: ({ orchestrator }, runId) => orchestrator.resume(runId),
  },
  {
    name: 'retry-failed',
    description: 'enqueue the dead items of a failed run again and set it running',
    past: 'restarted',
    alreadyDone: [],
    act: ({ orchestrator }, runId) => orchestrator.retryFailed(runId),
  },
];

/**
 * `floxide cancel|pause|resume|retry-failed <runId>`: one control action on a run.
 * An unknown run or a status that does not allow the action fails with one line and exit code 1; a run
 * already in the state the action leads to (pausing a paused run) succeeds with a note and exit code 0.
 */
export function registerControlCommands(program: Command, env: CommandEnv): void {
  for (const spec of CONTROLS) {
    program
      .command(spec.name)
      .description(spec.description)
      .argument('<runId>', 'the run id')
      .action(async (runId: string, _options: unknown, command: Command) => {
        await withSession(command, env.io, {}, async (session) => {
          const before = await session.orchestrator.get(runId);
          if (spec.alreadyDone.includes(before.status)) {
            if (session.json)
              printJson(session.io, { runId, action: spec.name, status: before.status, changed: false });
            else
              session.io.stdout.write(`run ${runId} is already ${before.status}: nothing to ${spec.name}\n`);
            return;
          }
          // The status the action set, not a re-read: workers may already have moved the run on.
          const run = await spec.act(session, runId).catch((error: unknown) => {
            throw inUserWords(error, spec.name, runId);
          });
          if (session.json)
            printJson(session.io, { runId, action: spec.name, status: run.status, changed: true });
          else session.io.stdout.write(`run ${runId} ${spec.past} (status: ${run.status})\n`);
        });
      });
  }
}

// The backends word refusals after the API (`Cannot retryFailed run r1: it is completed`); the CLI says
// what the user typed instead.
function inUserWords(error: unknown, command: string, runId: string): unknown {
  if (!isFloxideError(error, 'RUN_STATE')) return error;
  const reason = /: (.*)$/.exec(error.message)?.[1] ?? error.message;
  return new RunStateError(`cannot ${command} run ${runId}: ${reason}`, { cause: error });
}
