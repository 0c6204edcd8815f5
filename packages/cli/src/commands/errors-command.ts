import type { Command } from 'commander';
import type { CommandEnv } from '../command-env.js';
import { formatTime, printJson, printTable } from '../output.js';
import { withSession } from '../session.js';

/** `floxide errors <runId>`: every failed attempt recorded for the run, oldest first. */
export function registerErrorsCommand(program: Command, env: CommandEnv): void {
  program
    .command('errors')
    .description('list the failed attempts of a run')
    .argument('<runId>', 'the run id')
    .action(async (runId: string, _options: unknown, command: Command) => {
      await withSession(command, env.io, {}, async ({ orchestrator, json, io }) => {
        // get() first: an unknown run id is an error, not an empty list.
        await orchestrator.get(runId);
        const errors = await orchestrator.errors(runId);
        if (json) {
          printJson(io, errors);
          return;
        }
        const rows = errors.map((e) => [
          formatTime(e.at),
          e.node,
          e.itemId,
          String(e.attempt),
          e.error.code,
          e.error.message,
        ]);
        printTable(io, ['at', 'node', 'item', 'attempt', 'code', 'message'], rows, 'no errors recorded');
      });
    });
}
