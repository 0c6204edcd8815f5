// `pnpm bench [scenario...] [--runs N] [--smoke] [--out dir]`: Floxide side by side with its peers.
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { runBench } from './cli/run-bench.js';
import { STRANDS_MODES, type StrandsMode } from './scenarios/strands-mode.js';

/** Parses a positive integer option. */
function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** Parses `--strands on|off|both`. */
function strandsMode(value: string): StrandsMode {
  const mode = STRANDS_MODES.find((m) => m === value);
  if (!mode) throw new InvalidArgumentError(`expected one of ${STRANDS_MODES.join(', ')}`);
  return mode;
}

const defaultOut = fileURLToPath(new URL('../reports', import.meta.url));

const program = new Command()
  .name('bench')
  .description('Floxide benchmarks side by side with LangGraph.js, BullMQ, Graphile Worker and pg-boss')
  .argument('[scenario...]', 'scenarios to run (p1 … p16); all when omitted')
  .option('--runs <n>', "override the scenario's main size (runs, or N for p2)", positiveInt)
  .option('--smoke', 'tiny sizes, same code paths, correctness checks on', false)
  .option(
    '--strands <mode>',
    "Floxide workers' strands in P3, P4, P5, P8, P9: on, off (strands: false, the queue-only mode) or both side by side",
    strandsMode,
    // `BENCH_STRANDS=off` (the variable earlier versions read) still selects the queue-only mode.
    process.env['BENCH_STRANDS'] === 'off' ? 'off' : 'on',
  )
  .option('--out <dir>', 'where latest.json and latest.md are written', defaultOut)
  .option('--cpu-prof <dir>', 'write a V8 CPU profile of every worker process into <dir>')
  .action(
    async (
      scenarios: string[],
      opts: { runs?: number; smoke: boolean; strands: StrandsMode; out: string; cpuProf?: string },
    ) => {
      // Worker processes inherit the environment; spawnWorker adds --cpu-prof when this is set.
      if (opts.cpuProf) process.env['BENCH_CPU_PROF_DIR'] = opts.cpuProf;
      const report = await runBench({
        scenarios,
        smoke: opts.smoke,
        strands: opts.strands,
        ...(opts.runs === undefined ? {} : { runs: opts.runs }),
        outDir: opts.out,
        print: (text) => process.stdout.write(`${text}\n`),
      });
      const failed = report.scenarios.filter((s) => !s.verified).map((s) => s.id);
      if (failed.length > 0) {
        process.stderr.write(`correctness FAILED in ${failed.join(', ')}\n`);
        process.exitCode = 1;
      }
    },
  );

// The root script runs `pnpm --filter @floxide/bench run bench -- <args>`, and pnpm passes the `--` on:
// drop it, or commander would read every option after it as a scenario name.
const args = process.argv.slice(2);
if (args[0] === '--') args.shift();

program.parseAsync(args, { from: 'user' }).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
