import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import {
  DistributedOrchestrator,
  FINISHED_RUN_STATUSES,
  WorkerPool,
  type RunInfo,
  type RunMetrics,
} from '@floxide/distributed';
import { serveDashboard, type DashboardServer } from '@floxide/dashboard';
import { cleanupDemoData } from './demo-cleanup.js';
import { createDemoBackend, type DemoBackendConfig } from './demo-backend.js';
import type { DemoReport, DemoRunResult } from './demo-report.js';
import { sampleDocuments, type DemoDocument } from './documents.js';
import { createPipelineWorkflow, type PipelineOptions } from './pipeline-workflow.js';
import { createProgressReporter, type ReporterStream } from './progress-reporter.js';
import type { ProgressSnapshot } from './progress-snapshot.js';
import { expectedResult } from './text-analysis.js';
import { WorkerFleet } from './worker-fleet.js';

/** Everything the demo can be told (see `main.ts` for the command-line flags). */
export interface DemoOptions {
  readonly backend: DemoBackendConfig;
  /** Documents to process (one run each). */
  readonly documents: number;
  /** Workers: in-process workers on memory, worker processes on Redis/PostgreSQL. */
  readonly workers: number;
  /** Steps each worker runs at the same time. */
  readonly concurrency: number;
  /** SIGKILL a random worker process this often and start a replacement (Redis/PostgreSQL only). */
  readonly killEveryMs?: number;
  readonly pipeline: PipelineOptions;
  /** Give up (and fail) when the runs are not all finished after this long. */
  readonly timeoutMs: number;
  /** Lease of worker processes: after a SIGKILL, items come back this long after their last heartbeat. */
  readonly leaseMs: number;
  readonly heartbeatMs: number;
  /** Keep the demo's Redis keys / PostgreSQL schema afterwards (default: removed). */
  readonly keepData: boolean;
  /** Where progress and the summary go. */
  readonly stream: ReporterStream;
  /** Receives worker-process log lines (stderr); ignored when absent. */
  readonly onWorkerLog?: (line: string) => void;
  /** How often progress is polled, ms. */
  readonly pollMs?: number;
  /**
   * Serve the web dashboard over the demo's backend while it runs (port 0: any free port). After the
   * summary, `holdOpen` keeps it up until it resolves, so the finished runs can still be looked at.
   */
  readonly dashboard?: { readonly port: number; readonly holdOpen?: () => Promise<void> };
}

/**
 * Runs the document pipeline end to end and verifies every run.
 *
 * @remarks
 * Memory: a WorkerPool in this process. Redis/PostgreSQL: a fresh key prefix or schema, `workers` real
 * worker processes (optionally SIGKILLed every `killEveryMs`), and the data removed afterwards unless
 * `keepData`. Each run's output must equal the result computed directly from the document, and its
 * `chunksAnalysed` context counter must equal its chunk count — a lost or doubly committed step shows.
 */
export async function runDemo(options: DemoOptions): Promise<DemoReport> {
  if (options.killEveryMs !== undefined && options.backend.kind === 'memory') {
    throw new Error('--kill-every needs worker processes: use --backend redis or --backend postgres');
  }
  const { config: backendConfig, owned } = withFreshNamespace(options.backend);
  const wf = createPipelineWorkflow(options.pipeline);
  const backend = await createDemoBackend(backendConfig);
  const started = Date.now();
  let pool: WorkerPool | undefined;
  let fleet: WorkerFleet | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  let dashboard: DashboardServer | undefined;
  try {
    if (options.dashboard !== undefined) {
      dashboard = await serveDashboard({ backend, workflows: [wf], port: options.dashboard.port });
      options.stream.write(`Dashboard: ${dashboard.url}\n`);
    }
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
    if (backendConfig.kind === 'memory') {
      pool = new WorkerPool({
        backend,
        workflows: [wf],
        size: options.workers,
        concurrency: options.concurrency,
      });
      await pool.start();
    } else {
      fleet = new WorkerFleet({
        size: options.workers,
        config: {
          backend: backendConfig,
          pipeline: options.pipeline,
          concurrency: options.concurrency,
          leaseMs: options.leaseMs,
          heartbeatMs: options.heartbeatMs,
        },
        ...(options.onWorkerLog === undefined ? {} : { onLog: options.onWorkerLog }),
      });
      fleet.start();
      const killEveryMs = options.killEveryMs;
      if (killEveryMs !== undefined) killTimer = setInterval(() => fleet?.killOne(), killEveryMs);
    }

    const docs = sampleDocuments(options.documents);
    const stamp = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    const runIds = new Map<string, DemoDocument>();
    for (const doc of docs) {
      runIds.set(await orchestrator.start(wf, doc, { runId: `${doc.docId}-${stamp}` }), doc);
    }

    const reporter = createProgressReporter({ stream: options.stream });
    const workerCount = (): number => fleet?.size ?? options.workers;
    let last = await poll(orchestrator, [...runIds.keys()]);
    let snapshot = toSnapshot(last, runIds.size, workerCount(), fleet?.kills ?? 0, Date.now() - started);
    while (snapshot.runsDone < snapshot.runsTotal && snapshot.elapsedMs < options.timeoutMs) {
      reporter.update(snapshot);
      await delay(options.pollMs ?? 200);
      last = await poll(orchestrator, [...runIds.keys()]);
      snapshot = toSnapshot(last, runIds.size, workerCount(), fleet?.kills ?? 0, Date.now() - started);
    }
    clearInterval(killTimer);
    reporter.stop(snapshot);

    const results: DemoRunResult[] = [];
    for (const [runId, doc] of runIds) {
      results.push(await verifyRun(orchestrator, runId, doc, options.pipeline, last.get(runId)?.metrics));
    }
    if (dashboard !== undefined && options.dashboard?.holdOpen !== undefined) {
      options.stream.write(renderHoldNotice(dashboard.url));
      await options.dashboard.holdOpen();
    }
    return {
      backend: backendConfig.kind,
      ...namespaceOf(backendConfig),
      workers: options.workers,
      results,
      elapsedMs: Date.now() - started,
      steps: snapshot.steps,
      retries: snapshot.retries,
      failures: snapshot.failures,
      kills: fleet?.kills ?? 0,
      crashes: fleet?.crashes ?? 0,
      verified: results.every((r) => r.verified),
    };
  } finally {
    clearInterval(killTimer);
    await dashboard?.close();
    await fleet?.close();
    await pool?.close({ graceMs: 1_000 });
    if (owned && !options.keepData) {
      const warning = await cleanupDemoData(backendConfig, backend);
      if (warning !== undefined) options.stream.write(`${warning}\n`);
    }
    await backend.close();
  }
}

function renderHoldNotice(url: string): string {
  return `All runs finished. The dashboard stays up at ${url} — press Enter to end the demo.\n`;
}

/** A fresh Redis prefix / PostgreSQL schema per demo run, unless the caller chose one (then it is not removed). */
function withFreshNamespace(config: DemoBackendConfig): { config: DemoBackendConfig; owned: boolean } {
  const id = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  if (config.kind === 'redis' && config.prefix === undefined) {
    return { config: { ...config, prefix: `floxide-demo-${id}` }, owned: true };
  }
  if (config.kind === 'postgres' && config.schema === undefined) {
    return { config: { ...config, schema: `floxide_demo_${id}` }, owned: true };
  }
  return { config, owned: false };
}

function namespaceOf(config: DemoBackendConfig): { namespace?: string } {
  const namespace =
    config.kind === 'redis' ? config.prefix : config.kind === 'postgres' ? config.schema : undefined;
  return namespace === undefined ? {} : { namespace };
}

interface RunState {
  readonly info: RunInfo;
  readonly metrics: RunMetrics | undefined;
}

async function poll(
  orchestrator: DistributedOrchestrator,
  runIds: readonly string[],
): Promise<Map<string, RunState>> {
  const states = await Promise.all(
    runIds.map(async (runId) => {
      const [info, metrics] = await Promise.all([orchestrator.get(runId), orchestrator.metrics(runId)]);
      return [runId, { info, metrics }] as const;
    }),
  );
  return new Map(states);
}

function toSnapshot(
  states: ReadonlyMap<string, RunState>,
  total: number,
  workers: number,
  kills: number,
  elapsedMs: number,
): ProgressSnapshot {
  let runsDone = 0;
  let runsFailed = 0;
  let steps = 0;
  let retries = 0;
  let failures = 0;
  for (const { info, metrics } of states.values()) {
    if (FINISHED_RUN_STATUSES.includes(info.status)) runsDone++;
    if (info.status === 'failed' || info.status === 'cancelled') runsFailed++;
    steps += metrics?.completed ?? 0;
    retries += metrics?.retries ?? 0;
    failures += metrics?.failed ?? 0;
  }
  return { runsTotal: total, runsDone, runsFailed, steps, retries, failures, workers, kills, elapsedMs };
}

async function verifyRun(
  orchestrator: DistributedOrchestrator,
  runId: string,
  doc: DemoDocument,
  pipeline: PipelineOptions,
  metrics: RunMetrics | undefined,
): Promise<DemoRunResult> {
  const info = await orchestrator.get(runId);
  const expected = expectedResult(doc, pipeline.sentencesPerChunk);
  const base = {
    docId: doc.docId,
    runId,
    status: info.status,
    chunks: expected.chunks,
    steps: metrics?.completed ?? 0,
    retries: metrics?.retries ?? 0,
  };
  if (info.status !== 'completed') {
    return { ...base, verified: false, problem: info.error?.message ?? `run ${info.status}` };
  }
  const output = info.output as typeof expected;
  const shown = {
    words: output.words,
    tone: output.tone,
    verdict: output.verdict,
    keywords: output.keywords,
  };
  if (!isDeepStrictEqual(output, expected)) {
    return { ...base, ...shown, verified: false, problem: 'output differs from the expected result' };
  }
  const context = (await orchestrator.context(runId)) as { chunksAnalysed?: unknown } | undefined;
  if (context?.chunksAnalysed !== expected.chunks) {
    return {
      ...base,
      ...shown,
      verified: false,
      problem: `chunksAnalysed is ${String(context?.chunksAnalysed)}, expected ${expected.chunks}`,
    };
  }
  return { ...base, ...shown, verified: true };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Re-exported for tests that need to open the same backend as a demo run. */
