// A worker process for the tracing test: a traced worker on Redis that, when its stdin ends, stops and
// prints the spans it recorded (OpenTelemetry SDK in-memory exporter) as one JSON line.
import { DistributedWorker } from '@floxide/distributed';
import { RedisBackend } from '@floxide/redis';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { StepTracing } from '../tracing/step-tracing.js';
import { spreadWorkflow } from './workflows.js';

const backend = new RedisBackend({
  connection: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  prefix: process.env['FLOXIDE_PREFIX'] ?? 'fxt-traced-worker',
  stalledIntervalMs: 100,
  sweepIntervalMs: 500,
});
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracing = new StepTracing({ tracer: provider.getTracer('traced-worker') });
const worker = new DistributedWorker({
  backend: tracing.instrument(backend),
  workflows: [spreadWorkflow],
  concurrency: 2,
  idleWaitMs: 100,
  heartbeatMs: 200,
});
await worker.start();
process.stdout.write('ready\n');
process.stdin.on('data', () => undefined);
process.stdin.once('end', () => {
  void (async () => {
    await worker.close({ graceMs: 2_000 });
    const spans = exporter.getFinishedSpans().map((s) => ({
      name: s.name,
      traceId: s.spanContext().traceId,
      spanId: s.spanContext().spanId,
      parentSpanId: s.parentSpanContext?.spanId,
      links: s.links.map((l) => l.context.spanId),
      attributes: s.attributes,
      status: s.status.code,
      pid: process.pid,
    }));
    process.stdout.write(`${JSON.stringify(spans)}\n`);
    await backend.close();
    process.exit(0);
  })();
});
