import type { Command } from 'commander';
import type { CommandEnv } from '../command-env.js';
import { printJson } from '../output.js';
import { readInput } from '../read-input.js';
import { withSession } from '../session.js';

interface SignalOptions {
  readonly input?: string;
  readonly inputFile?: string;
  readonly signalId?: string;
}

/** What each delivery result means, in a line. */
const SAID = {
  delivered: 'delivered: the waiting step runs again with it',
  stored: 'stored: the run does not wait for it yet and consumes it when it does',
  duplicate: 'already received (same --signal-id): nothing changed',
} as const;

/**
 * `floxide signal <runId> <name> --input <json> [--signal-id <id>]`: sends a signal to a run (see
 * `DistributedOrchestrator.signal`). An unknown or finished run fails with one line and exit code 1; a
 * repeated `--signal-id` succeeds and says nothing changed.
 */
export function registerSignalCommand(program: Command, env: CommandEnv): void {
  program
    .command('signal')
    .description('send a signal to a run: a step waiting for it (Transition.waitFor) continues')
    .argument('<runId>', 'the run id')
    .argument('<name>', 'the signal name the step waits for')
    .option('--input <json>', "the signal's payload as JSON, or '-' to read it from stdin (default: null)")
    .option('--input-file <path>', "read the signal's payload (JSON) from this file")
    .option('--signal-id <id>', 'idempotency id: the same id sent twice is delivered once')
    .action(async (runId: string, name: string, options: SignalOptions, command: Command) => {
      const payload = await readInput(options, env.io);
      await withSession(command, env.io, {}, async ({ orchestrator, json, io }) => {
        const result = await orchestrator.signal(
          runId,
          name,
          payload,
          options.signalId === undefined ? {} : { signalId: options.signalId },
        );
        if (json) printJson(io, { runId, signal: name, ...result });
        else io.stdout.write(`signal '${name}' to run ${runId} ${SAID[result.status]}\n`);
      });
    });
}
