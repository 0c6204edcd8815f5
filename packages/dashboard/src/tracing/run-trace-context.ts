import { createHash } from 'node:crypto';
import { ROOT_CONTEXT, trace, TraceFlags, type Context, type SpanContext } from '@opentelemetry/api';

/**
 * The trace of one run: its trace id and a (virtual) root span id, both derived from the run id.
 *
 * @remarks
 * Every process computes the same ids from the run id alone, so the steps of one run form one trace
 * whichever workers execute them, on every backend, without storing anything. The root span itself is
 * never emitted; a caller that wants a visible root (e.g. the request that started the run) can use
 * {@link runTraceContext} as the parent of its own span.
 */
export function runSpanContext(runId: string): SpanContext {
  const digest = createHash('sha256').update(`floxide-run:${runId}`).digest('hex');
  return {
    traceId: digest.slice(0, 32),
    spanId: digest.slice(32, 48),
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  };
}

/** An OpenTelemetry context whose active span is the run's virtual root (see {@link runSpanContext}). */
export function runTraceContext(runId: string, parent: Context = ROOT_CONTEXT): Context {
  return trace.setSpanContext(parent, runSpanContext(runId));
}
