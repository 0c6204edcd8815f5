import type { AnyWorkflow } from '@floxide/core';
import { DistributedOrchestrator, type Backend } from '@floxide/distributed';
import type { Command } from 'commander';
import { closeQuietly, openBackend } from './backend-factory.js';
import {
  resolveBackendSettings,
  type BackendOptionValues,
  type BackendSettings,
} from './backend-settings.js';
import { CliUsageError } from './cli-error.js';
import type { CliIo } from './cli-io.js';

/** The global options every command accepts (see `createProgram`). */
export interface GlobalOptions extends BackendOptionValues {
  readonly json?: boolean;
  readonly verbose?: boolean;
}

/** What a command works with: output, the resolved settings, an open backend and an orchestrator over it. */
export interface Session {
  readonly io: CliIo;
  readonly settings: BackendSettings;
  readonly json: boolean;
  readonly verbose: boolean;
  readonly backend: Backend;
  readonly orchestrator: DistributedOrchestrator;
}

/** Options of {@link withSession}. */
export interface SessionOptions {
  /** Workflows the orchestrator knows (needed to start runs; inspection and control need none). */
  readonly workflows?: readonly AnyWorkflow[];
  /** Create or upgrade PostgreSQL tables on first use (only `start`, `worker` and `migrate`; default false). */
  readonly migrate?: boolean;
  /** Prove the backend answers with one read before running the command (default true). */
  readonly probe?: boolean;
}

/** The global options of `command` (commander merges them from the root program). */
export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

/**
 * Opens the backend selected by the global options, runs `fn`, and always closes the backend, so a
 * command never leaves a connection open (the process then exits on its own).
 */
export async function withSession<T>(
  command: Command,
  io: CliIo,
  options: SessionOptions,
  fn: (session: Session) => Promise<T>,
): Promise<T> {
  const globals = globalOptions(command);
  const settings = resolveBackendSettings(globals, io.env);
  const backend = await openBackend(settings, {
    operation: command.name(),
    migrate: options.migrate === true,
    probe: options.probe !== false,
  });
  try {
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [...(options.workflows ?? [])] });
    return await fn({
      io,
      settings,
      json: globals.json === true,
      verbose: globals.verbose === true,
      backend,
      orchestrator,
    });
  } finally {
    await closeQuietly(backend);
  }
}

/**
 * Throws a usage error when the selected backend is the in-memory one: a long-running command (a worker,
 * the dashboard) is useless on a backend that lives only inside its own process.
 */
export function requireSharedBackend(command: Command, io: CliIo): void {
  if ((globalOptions(command).backend ?? io.env['FLOXIDE_BACKEND'] ?? 'memory') === 'memory') {
    throw new CliUsageError(
      `the ${command.name()} command needs a shared backend: use --backend redis or --backend postgres`,
    );
  }
}
