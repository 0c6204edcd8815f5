import type { SpanContext } from '@opentelemetry/api';

/** Joins remembered at most (oldest forgotten first): a join leased by another process is never taken. */
const MAX_JOINS = 1_000;
/** Arrivals remembered per join: the OpenTelemetry SDK keeps 128 links per span by default. */
const MAX_ARRIVALS = 128;

/**
 * The span contexts of the join arrivals this process committed, by join item, so the join's step span can
 * link to them (its parent is the one arrival whose context the join item carries).
 *
 * @remarks
 * Process-local: the backends keep one arrival's trace context in the join item, not all of them, so an
 * arrival committed by another worker process is not linked. Bounded: at most {@link MAX_JOINS} joins
 * (the oldest dropped) and {@link MAX_ARRIVALS} arrivals each; a join's entry goes when its step ends.
 */
export class JoinArrivalSpans {
  readonly #byJoin = new Map<string, SpanContext[]>();

  /** Joins with remembered arrivals. */
  get size(): number {
    return this.#byJoin.size;
  }

  /** Remembers an arrival's span (before its commit is sent: the join may be leased before the reply). */
  add(runId: string, joinItemId: string, span: SpanContext): void {
    const key = joinKey(runId, joinItemId);
    let arrivals = this.#byJoin.get(key);
    if (arrivals === undefined) {
      if (this.#byJoin.size >= MAX_JOINS) {
        const oldest = this.#byJoin.keys().next().value;
        if (oldest !== undefined) this.#byJoin.delete(oldest);
      }
      arrivals = [];
      this.#byJoin.set(key, arrivals);
    }
    if (arrivals.length < MAX_ARRIVALS) arrivals.push(span);
  }

  /** Forgets an arrival whose commit did not take effect (duplicate, rejected). */
  remove(runId: string, joinItemId: string, span: SpanContext): void {
    const arrivals = this.#byJoin.get(joinKey(runId, joinItemId));
    const at = arrivals?.findIndex((a) => a.spanId === span.spanId) ?? -1;
    if (arrivals !== undefined && at >= 0) arrivals.splice(at, 1);
  }

  /** The remembered arrivals of a join item. */
  of(runId: string, joinItemId: string): readonly SpanContext[] {
    return this.#byJoin.get(joinKey(runId, joinItemId)) ?? [];
  }

  /** Drops a join's arrivals (its step ended). */
  forget(runId: string, joinItemId: string): void {
    this.#byJoin.delete(joinKey(runId, joinItemId));
  }
}

function joinKey(runId: string, itemId: string): string {
  return `${runId}\u0000${itemId}`;
}
