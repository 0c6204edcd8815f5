import { describe, expect, it } from 'vitest';
import {
  DistributedOrchestrator,
  DistributedWorker,
  MemoryBackend,
  type StepCommit,
} from '@floxide/distributed';
import { SpanStatusCode } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { failingWorkflow, quickWorkflow, spreadWorkflow } from '../test-support/workflows.js';
import { runSpanContext } from './run-trace-context.js';
import { StepTracing } from './step-tracing.js';

const terminal = {
  kind: 'advance',
  transition: 'next',
  successors: [],
  joins: [],
  output: { value: 4 },
  contextOps: [],
  durationMs: 3,
} as const;

describe('StepTracing', () => {
  it('records one span per step with its outcome; a failed attempt is an error span', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const tracing = new StepTracing({ tracer: provider.getTracer('test') });
    const backend = new MemoryBackend();
    const workflows = [quickWorkflow, failingWorkflow];
    const worker = new DistributedWorker({ backend: tracing.instrument(backend), workflows, idleWaitMs: 50 });
    await worker.start();
    const orchestrator = new DistributedOrchestrator({ backend, workflows });
    const quick = await orchestrator.start('quick', 2);
    const failing = await orchestrator.start('failing', 1);
    await orchestrator.wait(quick, { timeoutMs: 10_000 });
    await orchestrator.wait(failing, { timeoutMs: 10_000 });
    await worker.close();
    await backend.close();

    const spans = exporter.getFinishedSpans();
    const of = (runId: string) => spans.filter((s) => s.attributes['floxide.run_id'] === runId);
    expect(of(quick).map((s) => [s.attributes['floxide.node'], s.attributes['floxide.outcome']])).toEqual([
      ['double', 'committed'],
    ]);
    expect(of(quick)[0]?.spanContext().traceId).toBe(runSpanContext(quick).traceId);
    const explode = of(failing).filter((s) => s.attributes['floxide.node'] === 'explode');
    expect(
      explode.map((s) => [s.attributes['floxide.attempt'], s.attributes['floxide.outcome'], s.status.code]),
    ).toEqual([
      [1, 'retried', SpanStatusCode.ERROR],
      [2, 'failed', SpanStatusCode.ERROR],
    ]);
    expect(explode[1]?.status.message).toBe('disk quota exceeded while writing the report');
    expect(tracing.openSpans).toBe(0);
  });

  it('a join step is the child of one arrival and links to the others this process committed', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const tracing = new StepTracing({ tracer: provider.getTracer('test') });
    const backend = new MemoryBackend();
    const workflows = [spreadWorkflow];
    const worker = new DistributedWorker({
      backend: tracing.instrument(backend),
      workflows,
      concurrency: 4,
      idleWaitMs: 50,
    });
    await worker.start();
    const orchestrator = new DistributedOrchestrator({ backend, workflows });
    const runId = await orchestrator.start(spreadWorkflow, 4);
    expect((await orchestrator.wait(runId, { timeoutMs: 10_000 })).output).toEqual({ total: 14 });
    await worker.close();
    await backend.close();

    const spans = exporter.getFinishedSpans();
    const committed = (node: string) =>
      spans.filter(
        (s) => s.attributes['floxide.node'] === node && s.attributes['floxide.outcome'] === 'committed',
      );
    const arrivals = committed('work').map((s) => s.spanContext().spanId);
    expect(arrivals).toHaveLength(4);
    const [sum] = committed('sum');
    const parent = sum?.parentSpanContext?.spanId;
    expect(arrivals).toContain(parent);
    // Every other arrival once, as a link; the retried attempt of branch 0 is not an arrival.
    const linked = (sum?.links ?? []).map((l) => l.context.spanId);
    expect(linked.sort()).toEqual(arrivals.filter((id) => id !== parent).sort());
    expect(sum?.links.every((l) => l.context.traceId === sum.spanContext().traceId)).toBe(true);
    // The step after the join has no links: only join items get them.
    expect(committed('report')[0]?.links).toEqual([]);
    expect(tracing.openSpans).toBe(0);
  });

  it('a step whose lease was lost but which still commits first ends as committed (regression)', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const tracing = new StepTracing({ tracer: provider.getTracer('test') });
    const backend = new MemoryBackend();
    const traced = tracing.instrument(backend);
    await new DistributedOrchestrator({ backend, workflows: [quickWorkflow] }).start('quick', 2);
    const [first] = await traced.queue.lease({ workerId: 'w1', leaseMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const [second] = await traced.queue.lease({ workerId: 'w2', leaseMs: 5_000 });
    if (first === undefined || second === undefined) throw new Error('expected the item to be leased twice');
    expect(await traced.queue.extend(first, 5_000)).toBe('lost');
    const outcome = {
      kind: 'advance',
      transition: 'next',
      successors: [],
      joins: [],
      output: { value: 4 },
      contextOps: [],
      durationMs: 3,
    } as const;
    expect((await traced.commit({ lease: first, outcome, at: Date.now() })).status).toBe('committed');
    expect((await traced.commit({ lease: second, outcome, at: Date.now() })).status).toBe('duplicate');
    const spans = exporter.getFinishedSpans();
    const byWorker = new Map(spans.map((s) => [s.attributes['floxide.worker_id'], s] as const));
    expect(byWorker.get('w1')?.attributes['floxide.outcome']).toBe('committed');
    expect(byWorker.get('w1')?.events.map((e) => e.name)).toEqual(['floxide.lease_lost']);
    expect(byWorker.get('w2')?.attributes['floxide.outcome']).toBe('duplicate');
    expect(tracing.openSpans).toBe(0);
    await backend.close();
  });

  it('a last step whose commit reply comes after a heartbeat saw its run finished ends as committed (regression)', async () => {
    // Seen with a join on Redis: the commit script completed the run, the lease's heartbeat ran before
    // the reply and answered `cancelled` (the run is finished), and the span ended as cancelled.
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const tracing = new StepTracing({ tracer: provider.getTracer('test') });
    const backend = new MemoryBackend();
    let deliverReply: () => void = () => undefined;
    const replyHeld = new Promise<void>((resolve) => (deliverReply = resolve));
    const slowReply = new Proxy(backend, {
      get(target, property) {
        if (property === 'commit') {
          return async (step: StepCommit) => {
            const result = await target.commit(step);
            await replyHeld;
            return result;
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    });
    const traced = tracing.instrument(slowReply);
    await new DistributedOrchestrator({ backend, workflows: [quickWorkflow] }).start('quick', 2);
    const [lease] = await traced.queue.lease({ workerId: 'w1', leaseMs: 5_000 });
    if (lease === undefined) throw new Error('expected a lease');
    const committing = traced.commit({ lease, outcome: terminal, at: Date.now() });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await traced.queue.extend(lease, 5_000)).toBe('cancelled');
    deliverReply();
    expect((await committing).status).toBe('committed');
    const [span] = exporter.getFinishedSpans();
    expect(span?.attributes['floxide.outcome']).toBe('committed');
    expect(span?.events.map((e) => e.name)).toEqual(['floxide.run_cancelled']);
    expect(tracing.openSpans).toBe(0);
    await backend.close();
  });

  it('a step of a cancelled run ends as cancelled when the worker gives it back', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const tracing = new StepTracing({ tracer: provider.getTracer('test') });
    const backend = new MemoryBackend();
    const traced = tracing.instrument(backend);
    const runId = await new DistributedOrchestrator({ backend, workflows: [quickWorkflow] }).start(
      'quick',
      2,
    );
    const [lease] = await traced.queue.lease({ workerId: 'w1', leaseMs: 5_000 });
    if (lease === undefined) throw new Error('expected a lease');
    await backend.control(runId, 'cancel');
    expect(await traced.queue.extend(lease, 5_000)).toBe('cancelled');
    expect(tracing.openSpans).toBe(1);
    await traced.queue.release(lease);
    expect(exporter.getFinishedSpans().map((s) => s.attributes['floxide.outcome'])).toEqual(['cancelled']);
    expect(tracing.openSpans).toBe(0);
    await backend.close();
  });

  it('derives the same trace for a run in every process, and different traces for different runs', () => {
    expect(runSpanContext('run-1')).toEqual(runSpanContext('run-1'));
    expect(runSpanContext('run-1').traceId).not.toBe(runSpanContext('run-2').traceId);
    expect(runSpanContext('run-1').traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(runSpanContext('run-1').spanId).toMatch(/^[0-9a-f]{16}$/);
  });
});
