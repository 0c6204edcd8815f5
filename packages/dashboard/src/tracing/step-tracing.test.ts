import { describe, expect, it } from 'vitest';
import { DistributedOrchestrator, DistributedWorker, MemoryBackend } from '@floxide/distributed';
import { SpanStatusCode } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { failingWorkflow, quickWorkflow } from '../test-support/workflows.js';
import { runSpanContext } from './run-trace-context.js';
import { StepTracing } from './step-tracing.js';

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

  it('derives the same trace for a run in every process, and different traces for different runs', () => {
    expect(runSpanContext('run-1')).toEqual(runSpanContext('run-1'));
    expect(runSpanContext('run-1').traceId).not.toBe(runSpanContext('run-2').traceId);
    expect(runSpanContext('run-1').traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(runSpanContext('run-1').spanId).toMatch(/^[0-9a-f]{16}$/);
  });
});
