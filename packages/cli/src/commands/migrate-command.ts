import type { Command } from 'commander';
import type { CommandEnv } from '../command-env.js';
import { printJson } from '../output.js';
import { withSession } from '../session.js';

/**
 * `floxide migrate`: creates or upgrades the PostgreSQL tables of the chosen schema. The only command
 * besides `start` and `worker` that creates anything; Redis and memory need no migration.
 */
export function registerMigrateCommand(program: Command, env: CommandEnv): void {
  program
    .command('migrate')
    .description('create or upgrade the PostgreSQL tables (Redis and memory need none)')
    .action(async (_options: unknown, command: Command) => {
      await withSession(command, env.io, { probe: false }, async ({ backend, settings, json, io }) => {
        if (settings.kind !== 'postgres') {
          if (json) printJson(io, { backend: settings.kind, applied: [] });
          else io.stdout.write(`nothing to migrate: the ${settings.kind} backend has no schema\n`);
          return;
        }
        // Opened without auto-migration and without the probe read, so `applied` lists what this call did.
        const migrator = backend as unknown as { migrate(): Promise<{ applied: readonly string[] }> };
        const result = await migrator.migrate();
        const schema = settings.schema ?? 'floxide';
        if (json) printJson(io, { backend: 'postgres', schema, applied: result.applied });
        else if (result.applied.length === 0) io.stdout.write(`schema ${schema} is up to date\n`);
        else io.stdout.write(`schema ${schema}: applied ${result.applied.join(', ')}\n`);
      });
    });
}
