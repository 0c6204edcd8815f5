import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DistributedOrchestrator } from '@floxide/distributed';
import { RedisBackend } from '@floxide/redis';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { spreadWorkflow } from '../test-support/workflows.js';
import { runSpanContext } from './run-trace-context.js';
import { StepTracing } from './step-tracing.js';

interface SpanRecord {
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  /** Span ids of the span's links. */
  readonly links: readonly string[];
  readonly attributes: Record<string, unknown>;
  readonly status: number;
  readonly pid: number;
}

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const packageRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Starts one traced worker process and resolves once it has sent its first heartbeat. */
function startWorker(
  prefix: string,
  started: { child: ChildProcessWithoutNullStreams }[],
): Promise<{ child: ChildProcessWithoutNullStreams; output: () => string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=@floxide/source', '--import', 'tsx', 'src/test-support/traced-worker.ts'],
    { cwd: packageRoot, env: { ...process.env, REDIS_URL, FLOXIDE_PREFIX: prefix } },
  );
  // Recorded at once, so the test's cleanup kills it even when the other worker fails to start.
  started.push({ child });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`traced worker exited early with ${code}`)));
    const check = setInterval(() => {
      if (out.includes('ready\n')) {
        clearInterval(check);
        child.removeAllListeners('exit');
        resolve({ child, output: () => out });
      }
    }, 20);
  });
}

/** Ends a worker's stdin and collects the spans it prints before exiting. */
async function stopWorker(w: {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
}): Promise<SpanRecord[]> {
  const exited = new Promise<void>((resolve) => w.child.once('exit', () => resolve()));
  w.child.stdin.end();
  await exited;
  const line = w
    .output()
    .split('\n')
    .find((l) => l.startsWith('['));
  if (line === undefined) throw new Error('the traced worker printed no spans');
  return JSON.parse(line) as SpanRecord[];
}

/** The spans of `runId` that the named node committed (or ended with `outcome`). */
function spansOf(spans: readonly SpanRecord[], runId: string): SpanRecord[] {
  return spans.filter((s) => s.attributes['floxide.run_id'] === runId);
}

function nodeSpans(spans: readonly SpanRecord[], node: string, outcome = 'committed'): SpanRecord[] {
  return spans.filter(
    (s) => s.attributes['floxide.node'] === node && s.attributes['floxide.outcome'] === outcome,
  );
}

describe('step tracing across two worker processes (Redis)', () => {
  const prefix = `fxt-trace-${randomBytes(4).toString('hex')}`;
  const backend = new RedisBackend({ connection: REDIS_URL, prefix });
  const workers: { child: ChildProcessWithoutNullStreams }[] = [];
  // The caller's process: a context manager (so `context.with` reaches the orchestrator's calls) and a
  // tracer whose span the first run is started in.
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('caller');

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    context.disable();
    await backend.destroyAllData();
    await backend.close();
  });

  it('links every step of a run to the step that produced it, across processes, under the caller span', async () => {
    // Both processes start at once: each compiles the TypeScript sources on its own (seconds on a busy CI).
    const [a, b] = await Promise.all([startWorker(prefix, workers), startWorker(prefix, workers)]);
    const tracing = new StepTracing({ tracer });
    const orchestrator = new DistributedOrchestrator({
      backend: tracing.instrument(backend),
      workflows: [spreadWorkflow],
    });
    const caller = tracer.startSpan('POST /reports');
    const runId = await context.with(trace.setSpan(context.active(), caller), () =>
      orchestrator.start(spreadWorkflow, 12),
    );
    caller.end();
    // A run started outside any span: its trace is the one derived from its run id.
    const untraced = await orchestrator.start(spreadWorkflow, 3);
    expect((await orchestrator.wait(runId, { timeoutMs: 60_000 })).status).toBe('completed');
    expect((await orchestrator.wait(untraced, { timeoutMs: 60_000 })).status).toBe('completed');
    const all = [...(await stopWorker(a)), ...(await stopWorker(b))];
    const spans = spansOf(all, runId);

    // spread, 12 × work (branch 0 after one retry), the join step sum and report committed once each.
    const outcomes = spans.map(
      (s) => `${String(s.attributes['floxide.node'])}:${String(s.attributes['floxide.outcome'])}`,
    );
    expect(outcomes.sort(), outcomes.join(' ')).toEqual(
      [
        'spread:committed',
        ...Array<string>(12).fill('work:committed'),
        'work:retried',
        'sum:committed',
        'report:committed',
      ].sort(),
    );
    // One trace, rooted at the caller's span: every step's parent is the step that produced its item.
    const { traceId, spanId: callerSpanId } = caller.spanContext();
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceId]));
    const [spread] = nodeSpans(spans, 'spread');
    expect(spread?.parentSpanId).toBe(callerSpanId);
    const work = nodeSpans(spans, 'work');
    const [retried] = nodeSpans(spans, 'work', 'retried');
    for (const s of [...work, retried]) expect(s?.parentSpanId).toBe(spread?.spanId);
    const [sum] = nodeSpans(spans, 'sum');
    expect(work.map((s) => s.spanId)).toContain(sum?.parentSpanId);
    // The join links to the other arrivals its own process committed (process-local: the item carries
    // one arrival's context only), never to its parent.
    const localArrivals = work.filter((s) => s.pid === sum?.pid && s.spanId !== sum.parentSpanId);
    expect([...(sum?.links ?? [])].sort()).toEqual(localArrivals.map((s) => s.spanId).sort());
    const [report] = nodeSpans(spans, 'report');
    expect(report?.parentSpanId).toBe(sum?.spanId);
    // Both processes ran part of the run, and their spans still form the one tree.
    expect(new Set(spans.map((s) => s.pid)).size).toBe(2);

    const root = runSpanContext(untraced);
    const untracedSpans = spansOf(all, untraced);
    expect(new Set(untracedSpans.map((s) => s.traceId))).toEqual(new Set([root.traceId]));
    expect(nodeSpans(untracedSpans, 'spread')[0]?.parentSpanId).toBe(root.spanId);
    const untracedSpread = nodeSpans(untracedSpans, 'spread')[0]?.spanId;
    expect(nodeSpans(untracedSpans, 'work').map((s) => s.parentSpanId)).toEqual(
      Array(3).fill(untracedSpread),
    );

    const first = work.find((s) => s.attributes['floxide.attempt'] === 1);
    expect(first?.name).toBe('floxide step spread.work');
    expect(first?.attributes).toMatchObject({
      'floxide.workflow': 'spread',
      'floxide.workflow.version': 1,
      'floxide.run_id': runId,
      'floxide.attempt': 1,
    });
    expect(first?.attributes['floxide.item_id']).toEqual(expect.any(String));
    expect(first?.attributes['floxide.step.duration_ms']).toBeGreaterThanOrEqual(100);
  }, 240_000);
});
