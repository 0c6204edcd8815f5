import type { RunInfo } from '@floxide/distributed';
import type { Command } from 'commander';
import type { CommandEnv } from '../command-env.js';
import { printJson } from '../output.js';
import { withSession, type Session } from '../session.js';

interface ControlSpec {
  readonly name: string;
  readonly description: string;
  readonly past: string;
  /** Performs the action; resolves with the run as the action left it. */
  readonly act: (session: Session, runId: string) => Promise<RunInfo>;
}

const CONTROLS: readonly ControlSpec[] = [
  {
    name: 'cancel',
    description: 'cancel a run: queued items are dropped, running steps are aborted and never commit',
    past: 'cancelled',
    act: ({ orchestrator }, runId) => orchestrator.cancel(runId),
  },
  {
    name: 'pause',
    description: 'pause a run: no new step starts until it is resumed',
    past: 'paused',
    act: ({ orchestrator }, runId) => orchestrator.pause(runId),
  },
  {
    name: 'resume',
    description: 'resume a paused run',
    past: 'resumed',
    act: ({ orchestrator }, runId) => orchestrator.resume(runId),
  },
  {
    name: 'retry-failed',
    description: 'enqueue the dead items of a failed run again and set it running',
    past: 'restarted',
    act: ({ orchestrator }, runId) => orchestrator.retryFailed(runId),
  },
];

/**
 * `floxide cancel|pause|resume|retry-failed <runId>`: one control action on a run.
 * An unknown run or a status that does not allow the action fails with one line and exit code 1.
 */
export function registerControlCommands(program: Command, env: CommandEnv): void {
  for (const spec of CONTROLS) {
    program
      .command(spec.name)
      .description(spec.description)
      .argument('<runId>', 'the run id')
      .action(async (runId: string, _options: unknown, command: Command) => {
        await withSession(command, env.io, {}, async (session) => {
          // The status the action set, not a re-read: workers may already have moved the run on.
          const run = await spec.act(session, runId);
          if (session.json) printJson(session.io, { runId, action: spec.name, status: run.status });
          else session.io.stdout.write(`run ${runId} ${spec.past} (status: ${run.status})\n`);
        });
      });
  }
}
