import { Command, CommanderError, Option } from 'commander';
import { exitCodeFor, formatCliError } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import type { CommandEnv } from './command-env.js';
import { cliVersion } from './cli-version.js';
import { registerDashboardCommand } from './commands/dashboard-command.js';
import { registerControlCommands } from './commands/control-commands.js';
import { registerErrorsCommand } from './commands/errors-command.js';
import { registerGraphCommand } from './commands/graph-command.js';
import { registerMigrateCommand } from './commands/migrate-command.js';
import { registerRunsCommand } from './commands/runs-command.js';
import { registerScheduleCommand } from './commands/schedule-command.js';
import { registerSignalCommand } from './commands/signal-command.js';
import { registerStartCommand } from './commands/start-command.js';
import { registerStatusCommand } from './commands/status-command.js';
import { registerWatchCommand } from './commands/watch-command.js';
import { registerWorkerCommand } from './commands/worker-command.js';
import { registerWorkersCommand } from './commands/workers-command.js';

/** Builds the `floxide` command tree; output goes to `env.io`, commander never exits the process itself. */
export function createProgram(env: CommandEnv): Command {
  const program = new Command('floxide')
    .description('Inspect and control Floxide workflow runs; run workers.')
    .version(cliVersion(), '-V, --version', 'print the version of @floxide/cli')
    .addOption(
      new Option('--backend <kind>', 'storage backend (env FLOXIDE_BACKEND)').choices([
        'memory',
        'redis',
        'postgres',
      ]),
    )
    .option('--redis-url <url>', 'Redis URL (env REDIS_URL, default redis://127.0.0.1:6379)')
    .option(
      '--database-url <url>',
      'PostgreSQL URL (env DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test)',
    )
    .option('--prefix <prefix>', 'Redis key prefix (env FLOXIDE_PREFIX)')
    .option('--schema <schema>', 'PostgreSQL schema (env FLOXIDE_SCHEMA)')
    .option(
      '--transaction-pooler',
      'PostgreSQL is reached through a transaction-mode pooler such as PgBouncer: never LISTEN through it (env FLOXIDE_TRANSACTION_POOLER=1)',
    )
    .option(
      '--listen-url <url>',
      'direct PostgreSQL URL used only for LISTEN, beside a pooler (env FLOXIDE_LISTEN_URL)',
    )
    .option('--connect-timeout <ms>', 'how long to wait for the backend to answer', '5000')
    .option('--json', 'machine-readable JSON output')
    .option('--verbose', 'print stack traces and worker logs')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => env.io.stdout.write(text),
      writeErr: (text) => env.io.stderr.write(text),
    });
  registerStartCommand(program, env);
  registerRunsCommand(program, env);
  registerStatusCommand(program, env);
  registerWatchCommand(program, env);
  registerControlCommands(program, env);
  registerSignalCommand(program, env);
  registerErrorsCommand(program, env);
  registerWorkersCommand(program, env);
  registerWorkerCommand(program, env);
  registerScheduleCommand(program, env);
  registerGraphCommand(program, env);
  registerMigrateCommand(program, env);
  registerDashboardCommand(program, env);
  // Subcommands inherit exitOverride/output settings only when set on each; commander copies them at creation.
  for (const sub of program.commands) {
    sub.exitOverride().configureOutput({
      writeOut: (text) => env.io.stdout.write(text),
      writeErr: (text) => env.io.stderr.write(text),
    });
  }
  return program;
}

/**
 * Runs the CLI on `argv` (user arguments only, without `node` and the script) and returns the exit code.
 *
 * @remarks
 * Every failure becomes one line on stderr (`floxide: <message> [CODE]`), with the stack only under
 * `--verbose`; connection URLs given on the command line or in the environment are masked.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  const env: CommandEnv = {
    io,
    setExitCode: (code) => {
      exitCode = code;
    },
  };
  const program = createProgram(env);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its one-line message (or the help text). Bad arguments are usage
      // errors: exit 2 like our own, so scripts can tell them from failed operations (1).
      return error.exitCode === 0 ? 0 : 2;
    }
    io.stderr.write(
      formatCliError(error, { verbose: argv.includes('--verbose'), secrets: secretsIn(argv, io) }),
    );
    return exitCodeFor(error);
  }
}

function secretsIn(argv: readonly string[], io: CliIo): string[] {
  const secrets: string[] = [];
  for (const name of ['REDIS_URL', 'DATABASE_URL']) {
    const value = io.env[name];
    if (value !== undefined) secrets.push(value);
  }
  argv.forEach((arg, i) => {
    for (const flag of ['--redis-url', '--database-url']) {
      if (arg === flag && argv[i + 1] !== undefined) secrets.push(argv[i + 1] as string);
      if (arg.startsWith(`${flag}=`)) secrets.push(arg.slice(flag.length + 1));
    }
  });
  return secrets;
}
