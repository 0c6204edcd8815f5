import { describe, expect, it } from 'vitest';
import { createTraceState, INVALID_SPAN_CONTEXT, TraceFlags } from '@opentelemetry/api';
import { itemTraceOf, spanContextOfItem } from './item-trace-context.js';

const spanContext = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.SAMPLED,
};

describe('item trace context', () => {
  it('writes a W3C traceparent (and tracestate when present) and reads it back as a remote parent', () => {
    expect(itemTraceOf(spanContext)).toEqual({
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    const withState = itemTraceOf({ ...spanContext, traceState: createTraceState('vendor=a,other=b') });
    expect(withState?.tracestate).toBe('vendor=a,other=b');
    const back = spanContextOfItem(withState);
    expect(back).toMatchObject({ ...spanContext, isRemote: true });
    expect(back?.traceState?.get('other')).toBe('b');
    expect(itemTraceOf({ ...spanContext, traceFlags: TraceFlags.NONE })?.traceparent).toMatch(/-00$/);
  });

  it('carries nothing for an invalid span context (no SDK, no parent)', () => {
    expect(itemTraceOf(INVALID_SPAN_CONTEXT)).toBeUndefined();
  });

  it('ignores a malformed or all-zero traceparent, so the step falls back to the run trace', () => {
    for (const traceparent of [
      '',
      'garbage',
      '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
    ]) {
      expect(spanContextOfItem({ traceparent }), traceparent).toBeUndefined();
    }
    expect(spanContextOfItem({ traceparent: 7 } as never)).toBeUndefined();
    expect(spanContextOfItem(undefined)).toBeUndefined();
  });
});
