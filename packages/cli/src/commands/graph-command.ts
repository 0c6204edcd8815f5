import { toDot, toMermaid } from '@floxide/core';
import { Option, type Command } from 'commander';
import type { CommandEnv } from '../command-env.js';
import { printJson } from '../output.js';
import { globalOptions } from '../session.js';
import { loadWorkflow } from '../workflow-loader.js';

interface GraphOptions {
  readonly format: 'mermaid' | 'dot';
}

/** `floxide graph <module#export>`: prints the workflow graph as Mermaid (default) or Graphviz DOT. Needs no backend. */
export function registerGraphCommand(program: Command, env: CommandEnv): void {
  program
    .command('graph')
    .description('print a workflow graph as Mermaid or DOT')
    .argument('<workflow>', 'module#export of a built workflow, e.g. ./flows.ts#orderFlow')
    .addOption(
      new Option('--format <format>', 'output format').choices(['mermaid', 'dot']).default('mermaid'),
    )
    .action(async (reference: string, options: GraphOptions, command: Command) => {
      const wf = await loadWorkflow(reference);
      const graph = options.format === 'dot' ? toDot(wf) : toMermaid(wf);
      if (globalOptions(command).json === true) {
        printJson(env.io, { workflow: wf.name, version: wf.version, format: options.format, graph });
      } else {
        env.io.stdout.write(graph.endsWith('\n') ? graph : `${graph}\n`);
      }
    });
}
