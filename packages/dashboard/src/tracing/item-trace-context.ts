import type { ItemTraceContext } from '@floxide/core';
import {
  createTraceState,
  isSpanContextValid,
  trace,
  type Context,
  type SpanContext,
} from '@opentelemetry/api';

/** `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>` (W3C Trace Context, version 00). */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The W3C trace context a work item carries for `span`: its `traceparent`, and its `tracestate` when it
 * has one. `undefined` for an invalid span context (the API's no-op spans without a parent), so items of an
 * untraced start carry nothing.
 */
export function itemTraceOf(spanContext: SpanContext): ItemTraceContext | undefined {
  if (!isSpanContextValid(spanContext)) return undefined;
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  const traceparent = `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
  const tracestate = spanContext.traceState?.serialize();
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

/**
 * The remote span context an item's trace context names, or `undefined` when the item has none or it is
 * malformed (a malformed `traceparent` is ignored, as the W3C recommendation says: the step then starts
 * from the run's derived trace instead).
 */
export function spanContextOfItem(carrier: ItemTraceContext | undefined): SpanContext | undefined {
  if (carrier === undefined || typeof carrier.traceparent !== 'string') return undefined;
  const match = TRACEPARENT.exec(carrier.traceparent);
  if (match === null) return undefined;
  const [, traceId, spanId, flags] = match as unknown as [string, string, string, string];
  const spanContext: SpanContext = {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16),
    isRemote: true,
    ...(typeof carrier.tracestate === 'string' && carrier.tracestate.length > 0
      ? { traceState: createTraceState(carrier.tracestate) }
      : {}),
  };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** `parent` with the item's trace context as its active (remote) span, or `undefined` without one. */
export function contextOfItem(carrier: ItemTraceContext | undefined, parent: Context): Context | undefined {
  const spanContext = spanContextOfItem(carrier);
  return spanContext === undefined ? undefined : trace.setSpanContext(parent, spanContext);
}
