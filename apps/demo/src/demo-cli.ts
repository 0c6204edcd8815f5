import { Command, InvalidArgumentError, Option } from 'commander';
import type { DemoBackendKind } from './demo-backend.js';
import { DEFAULT_PIPELINE_OPTIONS } from './pipeline-workflow.js';
import type { ReporterStream } from './progress-reporter.js';
import { runDemo, type DemoOptions } from './run-demo.js';
import { renderSummary } from './summary-table.js';

/** Where the demo writes and what it reads; injected so tests can run it in-process. */
export interface DemoIo {
  readonly stdout: ReporterStream;
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** With `--dashboard`: resolves when the user is done looking (the terminal's Enter); absent in tests. */
  readonly holdOpen?: () => Promise<void>;
}

interface DemoFlags {
  readonly backend: DemoBackendKind;
  readonly workers?: number;
  readonly concurrency: number;
  readonly docs: number;
  readonly killEvery?: number;
  readonly workMs: number;
  readonly flakeRate: number;
  readonly chunkSentences: number;
  readonly timeout: number;
  readonly leaseMs: number;
  readonly redisUrl?: string;
  readonly databaseUrl?: string;
  readonly prefix?: string;
  readonly schema?: string;
  readonly keepData?: boolean;
  readonly verbose?: boolean;
  readonly dashboard?: boolean;
  readonly dashboardPort: number;
}

function int(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer ≥ ${min}.`);
    return n;
  };
}

function ratio(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n < 1)) throw new InvalidArgumentError('expected a number in [0, 1).');
  return n;
}

/**
 * Parses the demo's command line, runs it, prints the summary table, and returns the exit code:
 * 0 when every run completed and verified, 1 otherwise, 2 for bad arguments.
 */
export async function runDemoCli(argv: readonly string[], io: DemoIo): Promise<number> {
  let exitCode = 0;
  const program = new Command('demo')
    .description('Document pipeline on Floxide: split → analyse in parallel (flaky, retried) → join → route.')
    .addOption(
      new Option('--backend <kind>', 'where runs live')
        .choices(['memory', 'redis', 'postgres'])
        .default('memory'),
    )
    .option(
      '--workers <n>',
      'workers (processes on redis/postgres; default 4 in-process, 3 processes)',
      int(1),
    )
    .option('--concurrency <n>', 'steps per worker at a time', int(1), 4)
    .option('--docs <n>', 'documents to process, one run each', int(1), 24)
    .option('--kill-every <ms>', 'SIGKILL a random worker process this often and restart it', int(50))
    .option('--work-ms <ms>', 'simulated analysis time per chunk', int(0), DEFAULT_PIPELINE_OPTIONS.workMs)
    .option(
      '--flake-rate <r>',
      'fraction of chunks whose first attempt fails',
      ratio,
      DEFAULT_PIPELINE_OPTIONS.flakeRate,
    )
    .option(
      '--chunk-sentences <n>',
      'sentences per chunk',
      int(1),
      DEFAULT_PIPELINE_OPTIONS.sentencesPerChunk,
    )
    .option('--timeout <ms>', 'fail if the runs are not finished after this long', int(1), 120_000)
    .option(
      '--lease-ms <ms>',
      'worker-process lease: how soon a killed worker’s items come back',
      int(100),
      1_500,
    )
    .option('--redis-url <url>', 'Redis URL (env REDIS_URL)')
    .option('--database-url <url>', 'PostgreSQL URL (env DATABASE_URL)')
    .option('--prefix <prefix>', 'Redis key prefix (default: a fresh one, removed afterwards)')
    .option('--schema <schema>', 'PostgreSQL schema (default: a fresh one, dropped afterwards)')
    .option('--keep-data', 'keep the fresh prefix/schema after the demo')
    .option('--verbose', 'show worker-process logs')
    .option('--dashboard', 'serve the web dashboard over the demo (kept up after the runs until Enter)')
    .option('--dashboard-port <port>', 'port of the dashboard (0: any free port)', int(0), 4400)
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.stdout.write(t), writeErr: (t) => io.stderr.write(t) })
    .action(async (flags: DemoFlags) => {
      const options: DemoOptions = {
        backend: {
          kind: flags.backend,
          redisUrl: flags.redisUrl ?? io.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
          databaseUrl:
            flags.databaseUrl ?? io.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test',
          ...(flags.prefix === undefined ? {} : { prefix: flags.prefix }),
          ...(flags.schema === undefined ? {} : { schema: flags.schema }),
        },
        documents: flags.docs,
        workers: flags.workers ?? (flags.backend === 'memory' ? 4 : 3),
        concurrency: flags.concurrency,
        ...(flags.killEvery === undefined ? {} : { killEveryMs: flags.killEvery }),
        pipeline: {
          sentencesPerChunk: flags.chunkSentences,
          workMs: flags.workMs,
          flakeRate: flags.flakeRate,
        },
        timeoutMs: flags.timeout,
        leaseMs: flags.leaseMs,
        heartbeatMs: Math.max(50, Math.floor(flags.leaseMs / 4)),
        keepData: flags.keepData === true,
        stream: io.stdout,
        ...(flags.dashboard === true
          ? {
              dashboard: {
                port: flags.dashboardPort,
                ...(io.holdOpen === undefined ? {} : { holdOpen: io.holdOpen }),
              },
            }
          : {}),
        ...(flags.verbose === true
          ? { onWorkerLog: (line: string) => io.stderr.write(`[worker] ${line}\n`) }
          : {}),
      };
      const report = await runDemo(options);
      io.stdout.write(renderSummary(report));
      if (!report.verified) exitCode = 1;
    });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof Error && 'exitCode' in error && typeof error.exitCode === 'number') {
      return error.exitCode === 1 ? 2 : error.exitCode;
    }
    const message = error instanceof Error ? error.message.split('\n', 1)[0] : String(error);
    io.stderr.write(`demo: ${message}\n`);
    return 1;
  }
}
