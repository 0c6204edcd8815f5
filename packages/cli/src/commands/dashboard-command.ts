import type { AnyWorkflow } from '@floxide/core';
import type { Command } from 'commander';
import { untilAborted } from '../cli-io.js';
import { nonNegativeInt, type CommandEnv } from '../command-env.js';
import { printJsonLine } from '../output.js';
import { requireSharedBackend, withSession } from '../session.js';
import { loadWorkflows } from '../workflow-loader.js';

interface DashboardOptions {
  readonly workflows: string[];
  readonly host: string;
  readonly port: number;
  readonly token?: string;
}

/**
 * `floxide dashboard`: serves the web dashboard over the selected backend until SIGTERM/SIGINT.
 *
 * @remarks
 * Binds 127.0.0.1 by default. Any other `--host` needs `--token` (or env `FLOXIDE_DASHBOARD_TOKEN`),
 * which every state-changing request must then carry; the dashboard itself refuses otherwise. Workflow
 * modules are optional: with them the run page draws each run's graph.
 */
export function registerDashboardCommand(program: Command, env: CommandEnv): void {
  program
    .command('dashboard')
    .description('serve the web dashboard over the backend, until SIGTERM/SIGINT')
    .option(
      '--workflows <module>',
      'module exporting built workflows (or module#export), to draw their graphs; repeatable',
      (value: string, previous: string[] = []) => [...previous, value],
      [],
    )
    .option('--host <host>', 'interface to bind (anything but 127.0.0.1 needs --token)', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 = any free port)', nonNegativeInt, 4400)
    .option('--token <token>', 'access token (env FLOXIDE_DASHBOARD_TOKEN)')
    .action(async (options: DashboardOptions, command: Command) => {
      requireSharedBackend(command, env.io);
      const token = options.token ?? env.io.env['FLOXIDE_DASHBOARD_TOKEN'];
      const workflows: AnyWorkflow[] = (
        await Promise.all(options.workflows.map((ref) => loadWorkflows(ref)))
      ).flat();
      // Loaded on use: every other command starts without the dashboard's HTTP server and UI.
      const { serveDashboard } = await import('@floxide/dashboard');
      await withSession(command, env.io, { workflows }, async ({ backend, json, io }) => {
        const server = await serveDashboard({
          backend,
          workflows,
          host: options.host,
          port: options.port,
          ...(token === undefined ? {} : { token }),
        });
        if (json) printJsonLine(io, { event: 'dashboard.started', url: server.url });
        else io.stdout.write(`dashboard at ${server.url} (Ctrl-C to stop)\n`);
        await untilAborted(io.signal);
        await server.close();
        if (!json) io.stdout.write('dashboard stopped\n');
      });
    });
}
